package dev.herald.application.broker;

import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;

import java.util.function.Consumer;

/**
 * Carries committed events between Herald instances (one instance: between publisher and hub).
 *
 * <p>Guarantees: an event published after {@link #subscribe} returns reaches the listener of every
 * instance subscribed to its channel at most once. Nothing more: events may arrive out of order or
 * not at all when a connection drops. Durable history is {@code EventStore}'s job, and the hub
 * repairs any gap from it, so a broker never needs to buffer or retry.
 */
public interface Broker {

    /** Sets the one listener that receives events of subscribed channels. Called once at start-up. */
    void listen(Consumer<Event> listener);

    /** Hands a committed event to every subscribed instance. Never blocks on a slow receiver. */
    void publish(Event event);

    /** Starts receiving the channel's events; returns once later publishes are guaranteed to arrive. */
    void subscribe(ChannelName channel);

    /** Stops receiving the channel's events. */
    void unsubscribe(ChannelName channel);
}
