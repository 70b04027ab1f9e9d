package dev.herald.application.broker;

import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;

/**
 * Carries committed events between Herald instances (one instance: between publisher and hub).
 *
 * <p>Guarantees: while {@link #isConnected()}, an event published after {@link #subscribe} returns
 * reaches the listener of every instance subscribed to its channel at most once. Nothing more:
 * events may arrive out of order, or not at all when a connection drops. Durable history is
 * {@code EventStore}'s job; the hub repairs any gap from it (and polls the store while the broker is
 * disconnected), so a broker never buffers, retries a publish, or blocks a publisher.
 */
public interface Broker {

    /** What the broker delivers to this instance. */
    interface Listener {

        /** An event of a subscribed channel, in no guaranteed order. */
        void onEvent(Event event);

        /**
         * The broker lost its connection and has now subscribed every channel again: events
         * published while it was down were not delivered, so every active channel should be
         * checked against the store.
         */
        void onResubscribed();
    }

    /** Sets the one listener of this instance. Called once at start-up. */
    void listen(Listener listener);

    /** Hands a committed event to every subscribed instance. Never blocks on a slow or absent receiver. */
    void publish(Event event);

    /**
     * Starts receiving the channel's events. When connected, returns once later publishes are
     * guaranteed to arrive; when disconnected, returns at once and the channel is subscribed on
     * reconnect.
     */
    void subscribe(ChannelName channel);

    /** Stops receiving the channel's events. */
    void unsubscribe(ChannelName channel);

    /** Whether events currently flow; false while the connection is down. */
    boolean isConnected();
}
