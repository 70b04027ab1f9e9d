package dev.herald.infrastructure.broker.memory;

import dev.herald.application.broker.Broker;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The broker of a single instance: a publish reaches this instance's hub directly, on the
 * publisher's thread, in publish order. No lock is held while the listener runs, so a subscribe or
 * unsubscribe never waits for a fan-out.
 */
public class InMemoryBroker implements Broker {

    private static final Logger LOG = Logger.getLogger(InMemoryBroker.class.getName());

    private final Set<ChannelName> subscribed = ConcurrentHashMap.newKeySet();
    private volatile Listener listener;

    @Override
    public void listen(Listener listener) {
        this.listener = listener;
    }

    @Override
    public void publish(Event event) {
        Listener current = listener;
        if (current != null && subscribed.contains(event.channel())) {
            try {
                current.onEvent(event);
            } catch (RuntimeException e) {
                // The event is stored; a delivery failure is the hub's to repair, not the publisher's error.
                LOG.log(Level.SEVERE, "the listener failed on " + event.channel() + " " + event.seq(), e);
            }
        }
    }

    /** Always: there is no connection to lose. */
    @Override
    public boolean isConnected() {
        return true;
    }

    @Override
    public void subscribe(ChannelName channel) {
        subscribed.add(channel);
    }

    @Override
    public void unsubscribe(ChannelName channel) {
        subscribed.remove(channel);
    }

    @Override
    public String toString() {
        return "in-memory (one instance)";
    }
}
