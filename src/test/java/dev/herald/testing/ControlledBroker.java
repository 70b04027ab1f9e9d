package dev.herald.testing;

import dev.herald.application.broker.Broker;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A broker whose test decides when, in which order and whether published events arrive, to show
 * that the hub repairs reordering and loss from the store.
 */
public class ControlledBroker implements Broker {

    private final Set<ChannelName> subscribed = ConcurrentHashMap.newKeySet();
    private final List<Event> held = new ArrayList<>();
    private volatile Listener listener;
    private volatile boolean connected = true;

    @Override
    public void listen(Listener listener) {
        this.listener = listener;
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    /** Simulates losing the connection: nothing is delivered until {@link #reconnect()}. */
    public void disconnect() {
        connected = false;
    }

    /** Simulates the connection coming back: subscriptions restored, the listener told. */
    public void reconnect() {
        connected = true;
        listener.onResubscribed();
    }

    @Override
    public synchronized void publish(Event event) {
        held.add(event);
    }

    @Override
    public void subscribe(ChannelName channel) {
        subscribed.add(channel);
    }

    @Override
    public void unsubscribe(ChannelName channel) {
        subscribed.remove(channel);
    }

    public boolean isSubscribed(ChannelName channel) {
        return subscribed.contains(channel);
    }

    /** Published events not yet delivered, oldest first. */
    public synchronized List<Event> held() {
        return List.copyOf(held);
    }

    /** Delivers one held event (to subscribed channels only, like a real broker) and forgets it. */
    public void deliver(Event event) {
        synchronized (this) {
            held.remove(event);
        }
        if (subscribed.contains(event.channel())) {
            listener.onEvent(event);
        }
    }

    /** Forgets a held event, as a dropped connection would. */
    public synchronized void lose(Event event) {
        held.remove(event);
    }
}
