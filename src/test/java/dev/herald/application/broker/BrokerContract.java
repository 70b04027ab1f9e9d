package dev.herald.application.broker;

import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventType;
import dev.herald.domain.Sequence;
import dev.herald.testing.Concurrently;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link Broker} must do, run against each implementation by a subclass.
 *
 * <p>A broker promises delivery at most once and no order, so a test that must show something did
 * <em>not</em> arrive publishes a marker after it, on a subscribed channel, and waits for the marker:
 * both brokers deliver one publisher's sequential publishes to one receiver in order, so the marker
 * comes last. Every test works on channels of its own; implementations may share a backend.
 */
public abstract class BrokerContract {

    /** Generous for a real server on two busy cores; a lost event fails instead of hanging. */
    protected static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final EventType TYPE = new EventType("contract.test");

    private final List<Broker> brokers = new ArrayList<>();
    private final AtomicInteger seq = new AtomicInteger();

    protected Broker broker;
    protected RecordingListener listener;

    /** A new, started broker: one more "instance"; brokers of one test class may share their backend. */
    protected abstract Broker newBroker();

    @BeforeEach
    void openBroker() throws InterruptedException {
        listener = new RecordingListener();
        broker = instance(listener);
    }

    @AfterEach
    void closeBrokers() throws Exception {
        for (Broker b : brokers) {
            if (b instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }

    /** Another instance with its own listener, connected. */
    protected Broker instance(RecordingListener listener) throws InterruptedException {
        Broker b = newBroker();
        brokers.add(b);
        b.listen(listener);
        awaitTrue(b::isConnected, DEADLINE, "the broker connects");
        return b;
    }

    protected static ChannelName newChannel() {
        return ChannelName.of("contract", "ch-" + UUID.randomUUID());
    }

    protected Event event(ChannelName channel) {
        int n = seq.incrementAndGet();
        return new Event(channel, Sequence.of(n), TYPE, Instant.now(), "{\"n\":" + n + ",\"text\":\"é😀\"}", "corr-" + n);
    }

    /** Polls a condition until it holds or the deadline passes. */
    protected static void awaitTrue(BooleanSupplier condition, Duration deadline, String what) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("not within " + deadline + ": " + what);
            }
            Thread.sleep(10);
        }
    }

    // --- delivery -----------------------------------------------------------------------------

    @Test
    void deliversAnEventPublishedAfterSubscribeReturnsExactlyOnce() throws InterruptedException {
        // given
        ChannelName channel = newChannel();
        ChannelName marker = newChannel();
        broker.subscribe(channel);
        broker.subscribe(marker);

        // when
        Event event = event(channel);
        broker.publish(event);
        Event end = event(marker);
        broker.publish(end);

        // then
        assertEquals(List.of(event), listener.await(channel, 1, DEADLINE));
        listener.await(marker, 1, DEADLINE);
        assertEquals(List.of(event), listener.events(channel), "delivered once");
    }

    @Test
    void deliversEachChannelsEventsToItsOwnChannelOnly() throws InterruptedException {
        // given
        ChannelName a = newChannel();
        ChannelName b = newChannel();
        broker.subscribe(a);
        broker.subscribe(b);

        // when
        List<Event> toA = List.of(event(a), event(a), event(a));
        List<Event> toB = List.of(event(b), event(b));
        toA.forEach(broker::publish);
        toB.forEach(broker::publish);

        // then
        assertEquals(toA.size(), listener.await(a, 3, DEADLINE).size());
        assertEquals(toB.size(), listener.await(b, 2, DEADLINE).size());
        assertTrue(listener.events(a).containsAll(toA) && listener.events(b).containsAll(toB), "the events as published");
    }

    @Test
    void doesNotDeliverEventsOfChannelsThatAreNotSubscribed() throws InterruptedException {
        // given
        ChannelName subscribed = newChannel();
        ChannelName other = newChannel();
        broker.subscribe(subscribed);

        // when
        broker.publish(event(other));
        broker.publish(event(subscribed));

        // then
        listener.await(subscribed, 1, DEADLINE);
        assertEquals(List.of(), listener.events(other));
    }

    @Test
    void unsubscribeStopsDelivery() throws InterruptedException {
        // given
        ChannelName channel = newChannel();
        ChannelName marker = newChannel();
        broker.subscribe(channel);
        broker.subscribe(marker);
        Event before = event(channel);
        broker.publish(before);
        listener.await(channel, 1, DEADLINE);

        // when
        broker.unsubscribe(channel);
        broker.publish(event(channel));
        broker.publish(event(marker));

        // then
        listener.await(marker, 1, DEADLINE);
        assertEquals(List.of(before), listener.events(channel));
    }

    @Test
    void subscribingAgainAfterUnsubscribeDeliversAgain() throws InterruptedException {
        // given
        ChannelName channel = newChannel();
        broker.subscribe(channel);
        broker.unsubscribe(channel);

        // when
        broker.subscribe(channel);
        Event event = event(channel);
        broker.publish(event);

        // then
        assertEquals(List.of(event), listener.await(channel, 1, DEADLINE));
    }

    // --- concurrency --------------------------------------------------------------------------

    @Test
    void concurrentSubscribesAndUnsubscribesEndInTheLastStateOfEachChannel() throws InterruptedException {
        // given: each thread churns channels of its own, ending with every even one subscribed
        int threads = 4;
        int perThread = 25;
        List<List<ChannelName>> channels = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<ChannelName> mine = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                mine.add(newChannel());
            }
            channels.add(mine);
        }

        // when
        Concurrently.run(threads, DEADLINE.multipliedBy(3), t -> {
            List<ChannelName> mine = channels.get(t);
            for (int round = 0; round < 3; round++) {
                for (ChannelName c : mine) {
                    broker.subscribe(c);
                }
                for (ChannelName c : mine) {
                    broker.unsubscribe(c);
                }
            }
            for (int i = 0; i < mine.size(); i++) {
                broker.subscribe(mine.get(i));
                if (i % 2 == 1) {
                    broker.unsubscribe(mine.get(i));
                }
            }
            return null;
        });

        // then: odd channels' events go out first, so once every even one is in, none can follow
        List<ChannelName> even = new ArrayList<>();
        List<ChannelName> odd = new ArrayList<>();
        for (List<ChannelName> mine : channels) {
            for (int i = 0; i < mine.size(); i++) {
                (i % 2 == 0 ? even : odd).add(mine.get(i));
            }
        }
        odd.forEach(c -> broker.publish(event(c)));
        even.forEach(c -> broker.publish(event(c)));
        for (ChannelName c : even) {
            assertEquals(1, listener.await(c, 1, DEADLINE).size(), "subscribed " + c);
        }
        for (ChannelName c : odd) {
            assertEquals(List.of(), listener.events(c), "unsubscribed " + c);
        }
        assertEquals(even.size(), listener.events().size(), "each subscribed channel's event once");
    }

    // --- failure ------------------------------------------------------------------------------

    @Test
    void publishNeverThrowsToThePublisher() throws InterruptedException {
        // given: nobody subscribed, and a listener that fails on the one channel that is
        ChannelName nobody = newChannel();
        ChannelName failing = newChannel();
        ChannelName after = newChannel();
        broker.listen(new Broker.Listener() {
            @Override
            public void onEvent(Event event) {
                if (event.channel().equals(failing)) {
                    throw new IllegalStateException("listener failure (expected by the test)");
                }
                listener.onEvent(event);
            }

            @Override
            public void onResubscribed() {
                listener.onResubscribed();
            }
        });
        broker.subscribe(failing);
        broker.subscribe(after);

        // when / then
        assertDoesNotThrow(() -> broker.publish(event(nobody)));
        assertDoesNotThrow(() -> broker.publish(event(failing)));
        Event later = event(after);
        assertDoesNotThrow(() -> broker.publish(later));
        assertEquals(List.of(later), listener.await(after, 1, DEADLINE), "a failing listener does not stop later events");
    }

    @Test
    void isConnectedInSteadyState() throws InterruptedException {
        // given
        ChannelName channel = newChannel();

        // when
        broker.subscribe(channel);
        broker.publish(event(channel));
        listener.await(channel, 1, DEADLINE);
        broker.unsubscribe(channel);

        // then
        assertTrue(broker.isConnected());
    }
}
