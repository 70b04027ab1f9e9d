package dev.herald.application.delivery;

import dev.herald.application.metrics.HeraldMetrics;
import dev.herald.application.session.ClientFrame;
import dev.herald.application.session.ClientSession;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventDraft;
import dev.herald.domain.EventType;
import dev.herald.testing.ApplicationHarness;
import dev.herald.testing.ControlledBroker;
import dev.herald.testing.Frames;
import dev.herald.testing.RecordingConnection;
import dev.herald.testing.TestTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.LongStream;

import static dev.herald.testing.Frames.eventsOn;
import static dev.herald.testing.Frames.ofType;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * How the hub puts back in order what the broker hands over out of order: an event ahead of its
 * predecessor waits for it (herald.broker.reorder-window) rather than reading the store, and what
 * never comes is read from the store when the window ends.
 */
class HubReorderTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ChannelName DIAGNOSIS = ChannelName.parse("diagnosis:42");

    private final ControlledBroker broker = new ControlledBroker();
    private final HeraldMetrics metrics = new HeraldMetrics();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private ApplicationHarness herald;

    private RecordingConnection subscribedWithWindow(String window) throws InterruptedException {
        herald = new ApplicationHarness(broker, Clock.systemUTC(), Map.of("herald.broker.reorder-window", window));
        herald.hub.countIn(metrics);
        herald.hub.waitOn(scheduler, executor);
        herald.tokens.register("alice", TestTokens.user("alice", List.of("diagnosis:*"), List.of("diagnosis:*"),
                Instant.now().plusSeconds(3600)));
        RecordingConnection connection = new RecordingConnection();
        ClientSession session = herald.gateway.open(connection, Optional.of("alice"), Optional.empty(), Optional.empty());
        herald.gateway.onFrame(session, new ClientFrame.Subscribe(DIAGNOSIS, Optional.empty(), "s"));
        connection.await(ofType("subscribed"), WAIT);
        return connection;
    }

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
        executor.shutdownNow();
        if (herald != null) {
            herald.close();
        }
    }

    private Event publish(int n) {
        return herald.publishing.publish(DIAGNOSIS, new EventDraft(new EventType("step"), Integer.toString(n), null));
    }

    @Test
    void anEventAheadOfItsPredecessorWaitsForItAndNothingIsReadFromTheStore() throws Exception {
        // A window far longer than the test: the only way 1 can arrive is its own broker message.
        RecordingConnection connection = subscribedWithWindow("10m");
        Event first = publish(1);
        Event second = publish(2);
        int readsBefore = herald.database.reads.get();

        broker.deliver(second);
        assertEquals(1, metrics.heldForOrderCount(), "the second event waits");
        broker.deliver(first);

        assertEquals(List.of(1L, 2L), Frames.seqs(connection.awaitCount(eventsOn(DIAGNOSIS.value()), 2, WAIT)));
        assertEquals(0, metrics.gapsRepaired());
        assertEquals(readsBefore, herald.database.reads.get(), "no store read");
    }

    @Test
    void anEventWhosePredecessorWasLostIsDeliveredAfterTheWindowWithTheGapReadFromTheStore() throws Exception {
        RecordingConnection connection = subscribedWithWindow("100ms");
        broker.lose(publish(1));
        Event second = publish(2);

        broker.deliver(second);

        assertEquals(List.of(1L, 2L), Frames.seqs(connection.awaitCount(eventsOn(DIAGNOSIS.value()), 2, WAIT)));
        assertEquals(1, metrics.heldForOrderCount());
        assertEquals(1, metrics.gapsRepaired());
        Event third = publish(3);
        broker.deliver(third);
        assertEquals(List.of(1L, 2L, 3L), Frames.seqs(connection.awaitCount(eventsOn(DIAGNOSIS.value()), 3, WAIT)));
        assertEquals(1, metrics.heldForOrderCount(), "the next event in sequence is not held");
    }

    @Test
    void aChannelAlreadyHoldingItsMostEarlyEventsReadsTheGapAtOnce() throws Exception {
        RecordingConnection connection = subscribedWithWindow("10m");
        broker.lose(publish(1));
        List<Event> later = new ArrayList<>();
        for (int n = 2; n <= Hub.MAX_EARLY + 2; n++) {
            later.add(publish(n));
        }

        later.forEach(broker::deliver);

        List<Long> expected = LongStream.rangeClosed(1, Hub.MAX_EARLY + 2).boxed().toList();
        assertEquals(expected, Frames.seqs(connection.awaitCount(eventsOn(DIAGNOSIS.value()), expected.size(), WAIT)));
        assertEquals(Hub.MAX_EARLY, metrics.heldForOrderCount());
        assertEquals(1, metrics.gapsRepaired());
    }

    @Test
    void withAZeroWindowAGapIsReadFromTheStoreAsSoonAsItIsSeen() throws Exception {
        RecordingConnection connection = subscribedWithWindow("0");
        broker.lose(publish(1));
        Event second = publish(2);

        broker.deliver(second);

        assertEquals(List.of(1L, 2L), Frames.seqs(connection.awaitCount(eventsOn(DIAGNOSIS.value()), 2, WAIT)));
        assertEquals(0, metrics.heldForOrderCount());
        assertEquals(1, metrics.gapsRepaired());
    }

    @Test
    void thePeriodicHeadCheckLeavesAChannelWaitingForALatePredecessorAlone() throws Exception {
        RecordingConnection connection = subscribedWithWindow("10m");
        Event first = publish(1);
        Event second = publish(2);
        broker.deliver(second);

        assertEquals(0, herald.hub.checkOverdueHeads(), "the channel is waiting, not behind");
        broker.deliver(first);

        assertEquals(List.of(1L, 2L), Frames.seqs(connection.awaitCount(eventsOn(DIAGNOSIS.value()), 2, WAIT)));
        assertEquals(0, metrics.gapsRepaired());
    }
}
