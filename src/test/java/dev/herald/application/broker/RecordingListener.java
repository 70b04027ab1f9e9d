package dev.herald.application.broker;

import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A broker listener that keeps what it was given and lets a test wait for it, up to a deadline. */
public final class RecordingListener implements Broker.Listener {

    private final List<Event> events = new ArrayList<>();
    private int resubscribed;

    @Override
    public synchronized void onEvent(Event event) {
        events.add(event);
        notifyAll();
    }

    @Override
    public synchronized void onResubscribed() {
        resubscribed++;
        notifyAll();
    }

    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    public synchronized List<Event> events(ChannelName channel) {
        return events.stream().filter(e -> e.channel().equals(channel)).toList();
    }

    public synchronized int resubscribed() {
        return resubscribed;
    }

    /**
     * Waits until the channel has at least {@code count} events and returns them all.
     *
     * @throws AssertionError when they have not arrived by the deadline
     */
    public synchronized List<Event> await(ChannelName channel, int count, Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (events(channel).size() < count) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("expected " + count + " events on " + channel + " within " + deadline
                        + ", got " + events(channel).size());
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return events(channel);
    }

    /** Waits until onResubscribed was called at least {@code count} times. */
    public synchronized void awaitResubscribed(int count, Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (resubscribed < count) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("expected onResubscribed " + count + " times within " + deadline + ", got " + resubscribed);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
