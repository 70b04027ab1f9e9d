package dev.herald.testing;

import dev.herald.application.broker.Broker;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A broker whose test decides when, in which order and whether published events arrive, to show
 * that the hub repairs reordering and loss from the store.
 */
public class ControlledBroker implements Broker {

    private final Set<ChannelName> subscribed = ConcurrentHashMap.newKeySet();
    private final List<Event> held = new ArrayList<>();
    private volatile Consumer<Event> listener = e -> { };

    @Override
    public void listen(Consumer<Event> listener) {
        this.listener = listener;
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
            listener.accept(event);
        }
    }

    /** Forgets a held event, as a dropped connection would. */
    public synchronized void lose(Event event) {
        held.remove(event);
    }
}
