package dev.herald.application.delivery;

import dev.herald.application.metrics.HeraldMetrics;
import dev.herald.application.session.ClientFrame;
import dev.herald.application.session.ClientSession;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventDraft;
import dev.herald.domain.EventType;
import dev.herald.domain.Sequence;
import dev.herald.domain.StoreUnavailableException;
import dev.herald.testing.ApplicationHarness;
import dev.herald.testing.ControlledBroker;
import dev.herald.testing.Frames;
import dev.herald.testing.RecordingConnection;
import dev.herald.testing.TestTokens;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.herald.testing.Frames.eventsOn;
import static dev.herald.testing.Frames.ofType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the hub recovers what the broker lost: head checks, reconnects, and a store that goes down. */
class HubRecoveryTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ChannelName DIAGNOSIS = ChannelName.parse("diagnosis:42");
    private static final ChannelName PROJECT = ChannelName.parse("project:7");

    private final ControlledBroker broker = new ControlledBroker();
    private ApplicationHarness herald;

    @BeforeEach
    void start() {
        herald = new ApplicationHarness(broker, Clock.systemUTC(), Map.of());
        herald.tokens.register("alice", TestTokens.user("alice", List.of("diagnosis:*", "project:*"),
                List.of("diagnosis:*"), Instant.now().plusSeconds(3600)));
    }

    @AfterEach
    void stop() {
        herald.close();
    }

    private RecordingConnection subscribed(ChannelName... channels) throws InterruptedException {
        RecordingConnection connection = new RecordingConnection();
        ClientSession session = herald.gateway.open(connection, Optional.of("alice"), Optional.empty(), Optional.empty());
        for (ChannelName channel : channels) {
            herald.gateway.onFrame(session, new ClientFrame.Subscribe(channel, Optional.empty(), channel.value()));
        }
        connection.awaitCount(ofType("subscribed"), channels.length, WAIT);
        return connection;
    }

    private Event publish(ChannelName channel, int n) {
        return herald.publishing.publish(channel, new EventDraft(new EventType("step"), Integer.toString(n), null));
    }

    @Test
    void aTrailingEventWhoseBrokerMessageWasLostIsDeliveredByTheHeadCheck() throws Exception {
        RecordingConnection connection = subscribed(DIAGNOSIS);
        broker.lose(publish(DIAGNOSIS, 1));

        assertEquals(1, herald.hub.checkHeads(), "one channel was behind");

        assertEquals(List.of(1L), Frames.seqs(connection.awaitCount(eventsOn("diagnosis:42"), 1, WAIT)));
        assertEquals(0, herald.hub.checkHeads(), "caught up");
    }

    @Test
    void thePeriodicCheckRepairsAChannelOnlyWhenTheHeadThePreviousCheckSawIsStillMissing() throws Exception {
        HeraldMetrics metrics = new HeraldMetrics();
        herald.hub.countIn(metrics);
        RecordingConnection connection = subscribed(DIAGNOSIS);
        Event inFlight = publish(DIAGNOSIS, 1);

        assertEquals(0, herald.hub.checkOverdueHeads(), "committed a moment ago: on its way through the broker");
        broker.lose(inFlight);
        assertEquals(1, herald.hub.checkOverdueHeads(), "the next check still misses it: its message was lost");

        assertEquals(List.of(1L), Frames.seqs(connection.awaitCount(eventsOn("diagnosis:42"), 1, WAIT)));
        assertEquals(1, metrics.gapsRepaired());
    }

    @Test
    void anEventTheBrokerDeliversBetweenTwoPeriodicChecksIsNotReadFromTheStore() throws Exception {
        HeraldMetrics metrics = new HeraldMetrics();
        herald.hub.countIn(metrics);
        RecordingConnection connection = subscribed(DIAGNOSIS);
        Event inFlight = publish(DIAGNOSIS, 1);

        assertEquals(0, herald.hub.checkOverdueHeads());
        broker.deliver(inFlight);
        int readsBefore = herald.database.reads.get();
        assertEquals(0, herald.hub.checkOverdueHeads());

        assertEquals(List.of(1L), Frames.seqs(connection.awaitCount(eventsOn("diagnosis:42"), 1, WAIT)));
        assertEquals(0, metrics.gapsRepaired());
        assertEquals(readsBefore, herald.database.reads.get(), "no store read");
    }

    @Test
    void afterAReconnectEveryActiveChannelCatchesUpFromTheStore() throws Exception {
        RecordingConnection connection = subscribed(DIAGNOSIS, PROJECT);
        broker.disconnect();
        for (int i = 1; i <= 3; i++) {
            broker.lose(publish(DIAGNOSIS, i));
            broker.lose(publish(PROJECT, i));
        }

        broker.reconnect();

        assertEquals(List.of(1L, 2L, 3L), Frames.seqs(connection.awaitCount(eventsOn("diagnosis:42"), 3, WAIT)));
        assertEquals(List.of(1L, 2L, 3L), Frames.seqs(connection.awaitCount(eventsOn("project:7"), 3, WAIT)));
    }

    @Test
    void eventsArrivingAfterTheHeadCheckDeliveredThemAreNotRepeated() throws Exception {
        RecordingConnection connection = subscribed(DIAGNOSIS);
        Event late = publish(DIAGNOSIS, 1);
        herald.hub.checkHeads();

        broker.deliver(late); // the broker's copy arrives after all

        connection.awaitCount(eventsOn("diagnosis:42"), 1, WAIT);
        assertEquals(1, connection.frames().stream().filter(eventsOn("diagnosis:42")).count());
    }

    @Test
    void aHeadCheckThatMeetsAnEventBeingFannedOutFindsNoGap() throws Exception {
        HeraldMetrics metrics = new HeraldMetrics();
        herald.hub.countIn(metrics);
        CountDownLatch sending = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RecordingConnection connection = new RecordingConnection() {
            @Override
            public void send(String frame) {
                if (frame.contains("\"seq\":1")) {
                    sending.countDown();
                    awaitQuietly(release);
                }
                super.send(frame);
            }
        };
        ClientSession session = herald.gateway.open(connection, Optional.of("alice"), Optional.empty(), Optional.empty());
        herald.gateway.onFrame(session, new ClientFrame.Subscribe(DIAGNOSIS, Optional.empty(), DIAGNOSIS.value()));
        connection.await(ofType("subscribed"), WAIT);
        Event event = publish(DIAGNOSIS, 1);

        Thread fanOut = new Thread(() -> broker.deliver(event), "fan-out");
        fanOut.start();
        assertTrue(sending.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the fan-out reached the connection");
        AtomicInteger behind = new AtomicInteger(-1);
        Thread check = new Thread(() -> behind.set(herald.hub.checkHeads()), "head-check");
        check.start();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (check.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // until the head check waits for the channel the fan-out holds
        }
        assertEquals(Thread.State.WAITING, check.getState(), "the head check read the stored head and waits for the channel");
        release.countDown();
        fanOut.join(WAIT.toMillis());
        check.join(WAIT.toMillis());

        assertEquals(0, behind.get(), "the event was delivered by the time the head check held the channel");
        assertEquals(0, metrics.gapsRepaired());
        assertEquals(1, connection.frames().stream().filter(eventsOn("diagnosis:42")).count());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void whileTheStoreIsDownPublishAndSubscribeAreRefusedAndLeaveNothingBehind() throws Exception {
        RecordingConnection connection = new RecordingConnection();
        ClientSession session = herald.gateway.open(connection, Optional.of("alice"), Optional.empty(), Optional.empty());
        herald.database.down();

        herald.gateway.onFrame(session, new ClientFrame.Publish(DIAGNOSIS, "step", "1", null, "p"));
        herald.gateway.onFrame(session, new ClientFrame.Subscribe(PROJECT, Optional.empty(), "s"));

        JsonObject publishRefused = Frames.parse(connection.await(f -> f.contains("\"ref\":\"p\""), WAIT));
        assertEquals("store_unavailable", publishRefused.getString("code"));
        JsonObject subscribeRefused = Frames.parse(connection.await(f -> f.contains("\"ref\":\"s\""), WAIT));
        assertEquals("store_unavailable", subscribeRefused.getString("code"));
        assertFalse(broker.isSubscribed(PROJECT), "no broker subscription left behind");
        assertEquals(0, herald.hub.subscriberCount(PROJECT));
        assertTrue(session.subscriptions().isEmpty());

        herald.database.up();
        assertEquals(Sequence.ZERO, herald.store.head(DIAGNOSIS), "nothing was stored");
        herald.gateway.onFrame(session, new ClientFrame.Subscribe(PROJECT, Optional.empty(), "again"));
        assertEquals("again", Frames.parse(connection.await(f -> f.contains("\"ref\":\"again\""), WAIT)).getString("ref"));
    }

    @Test
    void aHeadCheckDuringAStoreOutageFailsWithoutLosingItsPlace() throws Exception {
        RecordingConnection connection = subscribed(DIAGNOSIS);
        broker.lose(publish(DIAGNOSIS, 1));
        herald.database.down();

        assertThrows(StoreUnavailableException.class, herald.hub::checkHeads, "the scheduler logs it and tries again");
        herald.database.up();
        herald.hub.checkHeads();

        assertEquals(List.of(1L), Frames.seqs(connection.awaitCount(eventsOn("diagnosis:42"), 1, WAIT)));
    }
}
