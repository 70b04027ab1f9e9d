package dev.herald.application;

import dev.herald.application.session.ClientSession;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventDraft;
import dev.herald.domain.EventType;
import dev.herald.domain.Sequence;
import dev.herald.infrastructure.broker.memory.InMemoryBroker;
import dev.herald.testing.ApplicationHarness;
import dev.herald.testing.ControlledBroker;
import dev.herald.testing.Frames;
import dev.herald.testing.RecordingConnection;
import dev.herald.testing.TestTokens;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;

import static dev.herald.testing.Frames.eventsOn;
import static dev.herald.testing.Frames.ofType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubscribeServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ChannelName CHANNEL = ChannelName.parse("diagnosis:42");

    private ApplicationHarness herald;

    @AfterEach
    void stop() {
        if (herald != null) {
            herald.close();
        }
    }

    private ApplicationHarness start(dev.herald.application.broker.Broker broker) {
        herald = new ApplicationHarness(broker, Clock.systemUTC(), Map.of("herald.replay.page-size", "50"));
        return herald;
    }

    private ClientSession connect(RecordingConnection connection, String user) {
        ClientSession session = herald.registry.open(connection, Optional.empty(), Optional.empty());
        session.authenticate(TestTokens.user(user, List.of("diagnosis:*"), List.of("diagnosis:*"), Instant.now().plusSeconds(3600)));
        return session;
    }

    private Event publish(ChannelName channel, int n) {
        return herald.publishing.publish(channel, new EventDraft(new EventType("step"), "{\"n\":" + n + "}", null));
    }

    @Test
    void replaysMissedEventsThenSwitchesToLiveWithoutGapOrDuplicate() throws Exception {
        start(new InMemoryBroker());
        for (int i = 1; i <= 320; i++) {
            publish(CHANNEL, i);
        }
        RecordingConnection connection = new RecordingConnection();
        ClientSession session = connect(connection, "alice");

        // A publisher keeps writing the channel while the subscriber replays and switches to live.
        Thread publisher = new Thread(() -> {
            for (int i = 321; i <= 800; i++) {
                publish(CHANNEL, i);
            }
        });
        publisher.start();
        herald.subscriptions.subscribe(session, CHANNEL, Optional.of(Sequence.of(10)), "r1");
        publisher.join(WAIT.toMillis());
        assertFalse(publisher.isAlive(), "publisher finished");

        List<String> events = connection.awaitCount(eventsOn(CHANNEL.value()), 790, WAIT);
        assertEquals(LongStream.rangeClosed(11, 800).boxed().toList(), Frames.seqs(events));
        JsonObject subscribed = Frames.parse(connection.frames().get(0));
        assertEquals("subscribed", subscribed.getString("type"));
        assertTrue(subscribed.getBoolean("recovered"));
        assertEquals("r1", subscribed.getString("ref"));
        long head = subscribed.getJsonNumber("seq").longValue();
        assertEquals(head - 10, subscribed.getJsonNumber("replayed").longValue());
    }

    @Test
    void sinceAheadOfHeadIsNotRecoveredAndDeliversLiveOnly() throws Exception {
        start(new InMemoryBroker());
        publish(CHANNEL, 1);
        RecordingConnection connection = new RecordingConnection();
        herald.subscriptions.subscribe(connect(connection, "alice"), CHANNEL, Optional.of(Sequence.of(99)), null);

        JsonObject subscribed = Frames.parse(connection.await(ofType("subscribed"), WAIT));
        assertFalse(subscribed.getBoolean("recovered"));
        assertEquals(0, subscribed.getInt("replayed"));
        assertEquals(1, subscribed.getInt("seq"));
        publish(CHANNEL, 2);
        assertEquals(List.of(2L), Frames.seqs(connection.awaitCount(eventsOn(CHANNEL.value()), 1, WAIT)));
    }

    @Test
    void sinceOlderThanRetainedHistoryIsNotRecovered() throws Exception {
        start(new InMemoryBroker());
        for (int i = 1; i <= 5; i++) {
            publish(CHANNEL, i);
        }
        herald.store.dropThrough(CHANNEL, Sequence.of(3));
        RecordingConnection connection = new RecordingConnection();
        herald.subscriptions.subscribe(connect(connection, "alice"), CHANNEL, Optional.of(Sequence.of(1)), null);

        JsonObject subscribed = Frames.parse(connection.await(ofType("subscribed"), WAIT));
        assertFalse(subscribed.getBoolean("recovered"));
        assertEquals(5, subscribed.getInt("seq"));
        publish(CHANNEL, 6);
        assertEquals(List.of(6L), Frames.seqs(connection.awaitCount(eventsOn(CHANNEL.value()), 1, WAIT)));
    }

    @Test
    void sinceAtTheOldestRetainedEventIsStillRecovered() throws Exception {
        start(new InMemoryBroker());
        for (int i = 1; i <= 5; i++) {
            publish(CHANNEL, i);
        }
        herald.store.dropThrough(CHANNEL, Sequence.of(3));
        RecordingConnection connection = new RecordingConnection();
        herald.subscriptions.subscribe(connect(connection, "alice"), CHANNEL, Optional.of(Sequence.of(3)), null);

        assertTrue(Frames.parse(connection.await(ofType("subscribed"), WAIT)).getBoolean("recovered"));
        assertEquals(List.of(4L, 5L), Frames.seqs(connection.awaitCount(eventsOn(CHANNEL.value()), 2, WAIT)));
    }

    @Test
    void withoutSinceResumesAfterTheUsersLastAck() throws Exception {
        start(new InMemoryBroker());
        for (int i = 1; i <= 6; i++) {
            publish(CHANNEL, i);
        }
        herald.acks.acknowledge("alice", CHANNEL, Sequence.of(4));
        RecordingConnection connection = new RecordingConnection();
        herald.subscriptions.subscribe(connect(connection, "alice"), CHANNEL, Optional.empty(), null);

        JsonObject subscribed = Frames.parse(connection.await(ofType("subscribed"), WAIT));
        assertTrue(subscribed.getBoolean("recovered"));
        assertEquals(2, subscribed.getInt("replayed"));
        assertEquals(List.of(5L, 6L), Frames.seqs(connection.awaitCount(eventsOn(CHANNEL.value()), 2, WAIT)));
    }

    @Test
    void withoutSinceOrAckDeliversLiveOnly() throws Exception {
        start(new InMemoryBroker());
        publish(CHANNEL, 1);
        RecordingConnection connection = new RecordingConnection();
        herald.subscriptions.subscribe(connect(connection, "bob"), CHANNEL, Optional.empty(), null);

        JsonObject subscribed = Frames.parse(connection.await(ofType("subscribed"), WAIT));
        assertFalse(subscribed.getBoolean("recovered"));
        publish(CHANNEL, 2);
        assertEquals(List.of(2L), Frames.seqs(connection.awaitCount(eventsOn(CHANNEL.value()), 1, WAIT)));
    }

    @Test
    void eventsArrivingOutOfOrderFromTheBrokerAreDeliveredInSequence() throws Exception {
        ControlledBroker broker = new ControlledBroker();
        start(broker);
        RecordingConnection connection = new RecordingConnection();
        herald.subscriptions.subscribe(connect(connection, "alice"), CHANNEL, Optional.empty(), null);
        connection.await(ofType("subscribed"), WAIT);

        Event first = publish(CHANNEL, 1);
        Event second = publish(CHANNEL, 2);
        Event third = publish(CHANNEL, 3);
        broker.deliver(third);
        broker.deliver(first);
        broker.deliver(second);

        assertEquals(List.of(1L, 2L, 3L), Frames.seqs(connection.awaitCount(eventsOn(CHANNEL.value()), 3, WAIT)));
        assertEquals(3, connection.frames().stream().filter(eventsOn(CHANNEL.value())).count(), "no duplicates");
    }

    @Test
    void anEventLostByTheBrokerIsRepairedFromTheStoreByTheNextOne() throws Exception {
        ControlledBroker broker = new ControlledBroker();
        start(broker);
        RecordingConnection connection = new RecordingConnection();
        herald.subscriptions.subscribe(connect(connection, "alice"), CHANNEL, Optional.empty(), null);
        connection.await(ofType("subscribed"), WAIT);

        Event lost = publish(CHANNEL, 1);
        Event next = publish(CHANNEL, 2);
        broker.lose(lost);
        broker.deliver(next);

        assertEquals(List.of(1L, 2L), Frames.seqs(connection.awaitCount(eventsOn(CHANNEL.value()), 2, WAIT)));
    }

    @Test
    void eventsRemovedFromTheStoreBeforeTheirRepairAreSkippedInsteadOfStallingTheChannel() throws Exception {
        ControlledBroker broker = new ControlledBroker();
        start(broker);
        RecordingConnection connection = new RecordingConnection();
        herald.subscriptions.subscribe(connect(connection, "alice"), CHANNEL, Optional.empty(), null);
        connection.await(ofType("subscribed"), WAIT);

        Event first = publish(CHANNEL, 1);
        Event second = publish(CHANNEL, 2);
        Event third = publish(CHANNEL, 3);
        broker.lose(first);
        broker.lose(second);
        herald.store.dropThrough(CHANNEL, Sequence.of(2)); // retention ran before the repair
        assertTimeoutPreemptively(WAIT, () -> broker.deliver(third));

        assertEquals(List.of(3L), Frames.seqs(connection.awaitCount(eventsOn(CHANNEL.value()), 1, WAIT)));
        publish(CHANNEL, 4);
        broker.deliver(broker.held().get(0));
        assertEquals(List.of(3L, 4L), Frames.seqs(connection.awaitCount(eventsOn(CHANNEL.value()), 2, WAIT)));
    }

    @Test
    void eachEventIsEncodedOnceAndSharedByEverySubscriber() throws Exception {
        start(new InMemoryBroker());
        RecordingConnection a = new RecordingConnection();
        RecordingConnection b = new RecordingConnection();
        herald.subscriptions.subscribe(connect(a, "alice"), CHANNEL, Optional.empty(), null);
        herald.subscriptions.subscribe(connect(b, "bob"), CHANNEL, Optional.empty(), null);
        a.await(ofType("subscribed"), WAIT);
        b.await(ofType("subscribed"), WAIT);

        publish(CHANNEL, 1);

        String toA = a.awaitCount(eventsOn(CHANNEL.value()), 1, WAIT).get(0);
        String toB = b.awaitCount(eventsOn(CHANNEL.value()), 1, WAIT).get(0);
        assertTrue(toA == toB, "the same String instance reaches both subscribers");
    }

    @Test
    void subscribersResumingFromARecentPositionAreReplayedFromMemoryWithoutReadingTheStore() throws Exception {
        start(new InMemoryBroker());
        RecordingConnection keeper = new RecordingConnection();
        herald.subscriptions.subscribe(connect(keeper, "keeper"), CHANNEL, Optional.empty(), null);
        keeper.await(ofType("subscribed"), WAIT);
        for (int i = 1; i <= 30; i++) {
            publish(CHANNEL, i);
        }
        keeper.awaitCount(eventsOn(CHANNEL.value()), 30, WAIT);
        int readsBefore = herald.database.reads.get();

        for (int client = 0; client < 20; client++) {
            RecordingConnection resuming = new RecordingConnection();
            herald.subscriptions.subscribe(connect(resuming, "user" + client), CHANNEL, Optional.of(Sequence.of(10)), null);
            assertEquals(LongStream.rangeClosed(11, 30).boxed().toList(),
                    Frames.seqs(resuming.awaitCount(eventsOn(CHANNEL.value()), 20, WAIT)));
            assertTrue(Frames.parse(resuming.frames().get(0)).getBoolean("recovered"));
        }

        assertEquals(readsBefore, herald.database.reads.get(), "every replay came from the channel's recent events");
    }

    @Test
    void aReconnectStormOnAQuietChannelReadsTheStoreOnceForTheRange() throws Exception {
        start(new InMemoryBroker());
        for (int i = 1; i <= 30; i++) {
            publish(CHANNEL, i);
        }
        int readsBefore = herald.database.reads.get();
        List<RecordingConnection> clients = new ArrayList<>();

        for (int client = 0; client < 20; client++) {
            RecordingConnection resuming = new RecordingConnection();
            clients.add(resuming);
            herald.subscriptions.subscribe(connect(resuming, "user" + client), CHANNEL, Optional.of(Sequence.of(10)), null);
            assertEquals(LongStream.rangeClosed(11, 30).boxed().toList(),
                    Frames.seqs(resuming.awaitCount(eventsOn(CHANNEL.value()), 20, WAIT)));
        }

        assertEquals(1, herald.database.reads.get() - readsBefore, "the first subscriber read the range, the others reused it");
        publish(CHANNEL, 31);
        for (RecordingConnection client : clients) {
            assertEquals(31L, Frames.seqs(client.awaitCount(eventsOn(CHANNEL.value()), 21, WAIT)).get(20));
        }
    }

    @Test
    void theLastSubscriberLeavingReleasesTheBrokerSubscription() throws Exception {
        ControlledBroker broker = new ControlledBroker();
        start(broker);
        RecordingConnection a = new RecordingConnection();
        RecordingConnection b = new RecordingConnection();
        ClientSession alice = connect(a, "alice");
        ClientSession bob = connect(b, "bob");
        herald.subscriptions.subscribe(alice, CHANNEL, Optional.empty(), null);
        herald.subscriptions.subscribe(bob, CHANNEL, Optional.empty(), null);
        a.await(ofType("subscribed"), WAIT);
        b.await(ofType("subscribed"), WAIT);
        assertTrue(broker.isSubscribed(CHANNEL));

        herald.subscriptions.unsubscribe(alice, CHANNEL, "u1");
        assertTrue(broker.isSubscribed(CHANNEL), "bob still listens");
        assertEquals("u1", Frames.parse(a.await(ofType("unsubscribed"), WAIT)).getString("ref"));

        herald.registry.release(bob);
        assertFalse(broker.isSubscribed(CHANNEL));
        assertEquals(0, herald.hub.subscriberCount(CHANNEL));
        assertEquals(0, herald.registry.size() - 1, "only alice's session remains registered");
    }

    @Test
    void nothingIsDeliveredAfterUnsubscribed() throws Exception {
        start(new InMemoryBroker());
        RecordingConnection connection = new RecordingConnection();
        ClientSession session = connect(connection, "alice");
        herald.subscriptions.subscribe(session, CHANNEL, Optional.empty(), null);
        connection.await(ofType("subscribed"), WAIT);
        herald.subscriptions.unsubscribe(session, CHANNEL, null);

        publish(CHANNEL, 1);

        List<String> frames = connection.frames();
        assertEquals("unsubscribed", Frames.type(frames.get(frames.size() - 1)));
        assertEquals(0, frames.stream().filter(eventsOn(CHANNEL.value())).count());
    }

    @Test
    void subscribingTwiceOrUnsubscribingUnknownChannelsIsRefused() throws Exception {
        start(new InMemoryBroker());
        RecordingConnection connection = new RecordingConnection();
        ClientSession session = connect(connection, "alice");
        herald.subscriptions.subscribe(session, CHANNEL, Optional.empty(), null);

        HeraldException twice = assertThrows(HeraldException.class,
                () -> herald.subscriptions.subscribe(session, CHANNEL, Optional.empty(), null));
        assertEquals(ErrorCode.ALREADY_SUBSCRIBED, twice.code());
        HeraldException unknown = assertThrows(HeraldException.class,
                () -> herald.subscriptions.unsubscribe(session, ChannelName.parse("diagnosis:7"), null));
        assertEquals(ErrorCode.NOT_SUBSCRIBED, unknown.code());
    }

    @Test
    void subscribingWithoutAGrantIsForbidden() {
        start(new InMemoryBroker());
        RecordingConnection connection = new RecordingConnection();
        ClientSession session = connect(connection, "alice");

        HeraldException e = assertThrows(HeraldException.class,
                () -> herald.subscriptions.subscribe(session, ChannelName.parse("project:7"), Optional.empty(), null));
        assertEquals(ErrorCode.FORBIDDEN, e.code());
        assertTrue(session.subscriptions().isEmpty());
    }

    @Test
    void aStalledReplayClosesTheConnectionAsASlowConsumer() throws Exception {
        start(new InMemoryBroker());
        for (int i = 1; i <= 200; i++) {
            publish(CHANNEL, i);
        }
        AtomicReference<Boolean> asked = new AtomicReference<>(false);
        RecordingConnection stalled = new RecordingConnection() {
            @Override
            public boolean awaitWritable(Duration timeout) {
                asked.set(true);
                return false;
            }
        };
        herald.subscriptions.subscribe(connect(stalled, "alice"), CHANNEL, Optional.of(Sequence.ZERO), null);

        stalled.await(ofType("subscribed"), WAIT);
        assertEquals(dev.herald.application.session.CloseCode.SLOW_CONSUMER, stalled.awaitClose(WAIT));
        assertTrue(asked.get());
        assertTrue(stalled.frames().stream().filter(eventsOn(CHANNEL.value())).count() <= 50,
                "at most the first page (50) was queued for a client that could not take more");
    }
}
