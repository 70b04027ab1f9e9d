package dev.herald.application;

import dev.herald.application.security.ChannelAuthorizer;
import dev.herald.application.session.ClientFrame;
import dev.herald.application.session.ClientSession;
import dev.herald.application.session.CloseCode;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Sequence;
import dev.herald.domain.StoreUnavailableException;
import dev.herald.infrastructure.broker.memory.InMemoryBroker;
import dev.herald.testing.ApplicationHarness;
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

import static dev.herald.testing.Frames.eventsOn;
import static dev.herald.testing.Frames.ofType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GatewayTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ChannelName DIAGNOSIS = ChannelName.parse("diagnosis:42");
    private static final Instant LATER = Instant.now().plusSeconds(3600);

    private ApplicationHarness herald;

    @BeforeEach
    void start() {
        // Diagnosis 13 belongs to carol: the application's authorizer denies it to everyone else.
        ChannelAuthorizer ownership = (principal, channel, access) ->
                channel.value().equals("diagnosis:13")
                        ? (principal.subject().equals("carol") ? ChannelAuthorizer.Decision.ALLOW : ChannelAuthorizer.Decision.DENY)
                        : ChannelAuthorizer.Decision.ABSTAIN;
        herald = new ApplicationHarness(new InMemoryBroker(), Clock.systemUTC(), Map.of(), List.of(ownership));
        herald.tokens
                .register("alice", TestTokens.user("alice", List.of("diagnosis:*"), List.of("diagnosis:*"), LATER))
                .register("alice-narrow", TestTokens.user("alice", List.of("project:*"), List.of(), LATER))
                .register("bob", TestTokens.user("bob", List.of(), List.of(), LATER))
                .register("carol", TestTokens.user("carol", List.of(), List.of(), LATER));
    }

    @AfterEach
    void stop() {
        herald.close();
    }

    private ClientSession open(RecordingConnection connection, String token) {
        return herald.gateway.open(connection, Optional.ofNullable(token), Optional.empty(), Optional.empty());
    }

    private static String lastType(RecordingConnection connection) {
        List<String> frames = connection.frames();
        return Frames.type(frames.get(frames.size() - 1));
    }

    @Test
    void aHandshakeTokenIsWelcomedWithTheConnectionIdAndHeartbeat() {
        RecordingConnection connection = new RecordingConnection();
        ClientSession session = open(connection, "alice");

        JsonObject welcome = Frames.parse(connection.frames().get(0));
        assertEquals("welcome", welcome.getString("type"));
        assertEquals(session.id(), welcome.getString("connectionId"));
        assertEquals("alice", welcome.getString("user"));
        assertEquals(30, welcome.getJsonObject("heartbeat").getInt("interval"));
        assertEquals(10, welcome.getJsonObject("heartbeat").getInt("timeout"));
    }

    @Test
    void anInvalidHandshakeTokenClosesWith4001() {
        RecordingConnection connection = new RecordingConnection();
        open(connection, "forged");

        assertEquals(CloseCode.UNAUTHORIZED, connection.closeCode());
        assertTrue(connection.frames().isEmpty());
        assertFalse(connection.closeReason().contains("forged"), "the token is never echoed");
    }

    @Test
    void withoutATokenTheFirstFrameMustBeAuth() {
        RecordingConnection viaFrame = new RecordingConnection();
        ClientSession session = open(viaFrame, null);
        herald.gateway.onFrame(session, new ClientFrame.Auth("alice"));
        assertEquals("welcome", lastType(viaFrame));

        RecordingConnection impatient = new RecordingConnection();
        ClientSession other = open(impatient, null);
        herald.gateway.onFrame(other, new ClientFrame.Subscribe(DIAGNOSIS, Optional.empty(), null));
        assertEquals(CloseCode.UNAUTHORIZED, impatient.closeCode());
    }

    @Test
    void aSingleChannelConnectionIsSubscribedAtOnceOrClosedWith4003() throws Exception {
        RecordingConnection granted = new RecordingConnection();
        herald.gateway.open(granted, Optional.of("alice"), Optional.of(DIAGNOSIS), Optional.of(Sequence.ZERO));
        assertEquals("diagnosis:42", Frames.parse(granted.await(ofType("subscribed"), WAIT)).getString("channel"));

        RecordingConnection refused = new RecordingConnection();
        herald.gateway.open(refused, Optional.of("bob"), Optional.of(DIAGNOSIS), Optional.empty());
        assertEquals(CloseCode.FORBIDDEN, refused.closeCode());
    }

    @Test
    void personalAndTenantChannelsNeedNoGrantButOthersDo() throws Exception {
        RecordingConnection connection = new RecordingConnection();
        ClientSession bob = open(connection, "bob");

        herald.gateway.onFrame(bob, new ClientFrame.Subscribe(ChannelName.parse("user:bob"), Optional.empty(), "mine"));
        herald.gateway.onFrame(bob, new ClientFrame.Subscribe(ChannelName.parse("user:alice"), Optional.empty(), "theirs"));

        assertEquals("mine", Frames.parse(connection.await(ofType("subscribed"), WAIT)).getString("ref"));
        JsonObject error = Frames.parse(connection.await(ofType("error"), WAIT));
        assertEquals("forbidden", error.getString("code"));
        assertEquals("theirs", error.getString("ref"));
        assertTrue(bob.subscriptions().containsKey(ChannelName.parse("user:bob")));
        assertFalse(bob.subscriptions().containsKey(ChannelName.parse("user:alice")));
    }

    @Test
    void theApplicationAuthorizerOverridesTokenGrantsBothWays() throws Exception {
        RecordingConnection aliceConnection = new RecordingConnection();
        ClientSession alice = open(aliceConnection, "alice");
        herald.gateway.onFrame(alice, new ClientFrame.Subscribe(ChannelName.parse("diagnosis:13"), Optional.empty(), "a"));
        assertEquals("forbidden", Frames.parse(aliceConnection.await(ofType("error"), WAIT)).getString("code"));

        RecordingConnection carolConnection = new RecordingConnection();
        ClientSession carol = open(carolConnection, "carol");
        herald.gateway.onFrame(carol, new ClientFrame.Subscribe(ChannelName.parse("diagnosis:13"), Optional.empty(), "c"));
        assertEquals("diagnosis:13", Frames.parse(carolConnection.await(ofType("subscribed"), WAIT)).getString("channel"));
    }

    @Test
    void aPublishFrameIsCommittedAnsweredAndDelivered() throws Exception {
        RecordingConnection connection = new RecordingConnection();
        ClientSession alice = open(connection, "alice");
        herald.gateway.onFrame(alice, new ClientFrame.Subscribe(DIAGNOSIS, Optional.empty(), null));
        connection.await(ofType("subscribed"), WAIT);

        herald.gateway.onFrame(alice, new ClientFrame.Publish(DIAGNOSIS, "agent_message", "{\"text\":\"hi\"}", "c-1", "p1"));

        JsonObject published = Frames.parse(connection.await(ofType("published"), WAIT));
        assertEquals(1, published.getInt("seq"));
        assertEquals("p1", published.getString("ref"));
        JsonObject event = Frames.parse(connection.awaitCount(eventsOn("diagnosis:42"), 1, WAIT).get(0));
        assertEquals("agent_message", event.getString("type"));
        assertEquals("hi", event.getJsonObject("data").getString("text"));
        assertEquals("c-1", event.getString("correlationId"));
        assertEquals(1, herald.store.head(DIAGNOSIS).value());
    }

    @Test
    void aRefusedPublishStoresNothing() {
        RecordingConnection connection = new RecordingConnection();
        ClientSession bob = open(connection, "bob");
        herald.gateway.onFrame(bob, new ClientFrame.Publish(DIAGNOSIS, "agent_message", "{}", null, "nope"));
        ClientSession alice = open(new RecordingConnection(), "alice");
        herald.gateway.onFrame(alice, new ClientFrame.Publish(DIAGNOSIS, "subscribed", "{}", null, "reserved"));
        herald.gateway.onFrame(alice, new ClientFrame.Publish(DIAGNOSIS, "9lives", "{}", null, "invalid"));

        assertEquals("forbidden", Frames.parse(connection.frames().get(1)).getString("code"));
        assertEquals(Sequence.ZERO, herald.store.head(DIAGNOSIS));
    }

    @Test
    void acksMoveTheStoredPositionOnlyOverDeliveredEvents() throws Exception {
        RecordingConnection connection = new RecordingConnection();
        ClientSession alice = open(connection, "alice");
        herald.gateway.onFrame(alice, new ClientFrame.Subscribe(DIAGNOSIS, Optional.empty(), null));
        connection.await(ofType("subscribed"), WAIT);
        herald.publishing.publish(DIAGNOSIS, PublishService.draft("step", "{}", null));
        connection.awaitCount(eventsOn("diagnosis:42"), 1, WAIT);

        herald.gateway.onFrame(alice, new ClientFrame.Ack(DIAGNOSIS, Sequence.of(1), "a1"));
        assertEquals(Optional.of(Sequence.of(1)), herald.acks.position("alice", DIAGNOSIS));

        herald.gateway.onFrame(alice, new ClientFrame.Ack(DIAGNOSIS, Sequence.of(5), "a5"));
        JsonObject invalid = Frames.parse(connection.await(ofType("error"), WAIT));
        assertEquals("invalid_ack", invalid.getString("code"));
        assertEquals("a5", invalid.getString("ref"));
        assertEquals(Optional.of(Sequence.of(1)), herald.acks.position("alice", DIAGNOSIS));

        herald.gateway.onFrame(alice, new ClientFrame.Ack(ChannelName.parse("diagnosis:7"), Sequence.of(1), null));
        assertEquals("not_subscribed", Frames.parse(connection.frames().get(connection.frames().size() - 1)).getString("code"));
    }

    /** Alice subscribed to diagnosis:42 with events 1..count delivered. */
    private ClientSession aliceWithEvents(RecordingConnection connection, int count) throws InterruptedException {
        ClientSession alice = open(connection, "alice");
        herald.gateway.onFrame(alice, new ClientFrame.Subscribe(DIAGNOSIS, Optional.empty(), null));
        connection.await(ofType("subscribed"), WAIT);
        for (int i = 0; i < count; i++) {
            herald.publishing.publish(DIAGNOSIS, PublishService.draft("step", "{}", null));
        }
        connection.awaitCount(eventsOn("diagnosis:42"), count, WAIT);
        return alice;
    }

    @Test
    void aCloseOnAnotherThreadWaitsForTheAckInHandAndTheAcksAfterItAreStored() throws Exception {
        RecordingConnection connection = new RecordingConnection();
        ClientSession alice = aliceWithEvents(connection, 10);
        CountDownLatch inStore = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        herald.acks.beforeStoring(seq -> {
            if (seq.value() == 3) {
                inStore.countDown();
                await(proceed);
            }
        });
        // The container's reader thread: ack 3, then ack 10, read from the socket before the close.
        Thread reader = new Thread(() -> {
            herald.gateway.onFrame(alice, new ClientFrame.Ack(DIAGNOSIS, Sequence.of(3), null));
            herald.gateway.onFrame(alice, new ClientFrame.Ack(DIAGNOSIS, Sequence.of(10), null));
        });
        reader.start();
        assertTrue(inStore.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));

        // The close callback on another thread while ack 3 is in the store: it must not wait for it.
        herald.gateway.closed(alice, 1000, "bye");
        assertFalse(alice.isReleased(), "released only once the frame in hand is done");
        proceed.countDown();
        reader.join(WAIT.toMillis());

        assertEquals(Optional.of(Sequence.of(10)), herald.acks.position("alice", DIAGNOSIS));
        assertTrue(alice.isReleased());
        assertEquals(0, herald.registry.size());
        assertTrue(connection.frames().stream().noneMatch(ofType("error")), connection.frames().toString());
    }

    @Test
    void anAckHandledAfterTheReleaseIsStillStored() throws Exception {
        RecordingConnection connection = new RecordingConnection();
        ClientSession alice = aliceWithEvents(connection, 2);
        herald.gateway.closed(alice, 1000, "bye");

        // Read before the close but handed over after it, as a container may do.
        herald.gateway.onFrame(alice, new ClientFrame.Ack(DIAGNOSIS, Sequence.of(2), null));

        assertEquals(Optional.of(Sequence.of(2)), herald.acks.position("alice", DIAGNOSIS));
    }

    @Test
    void anAckTheStoreRefusedCanBeSentAgain() throws Exception {
        RecordingConnection connection = new RecordingConnection();
        ClientSession alice = aliceWithEvents(connection, 2);
        herald.acks.beforeStoring(seq -> {
            throw new StoreUnavailableException("down", null);
        });
        herald.gateway.onFrame(alice, new ClientFrame.Ack(DIAGNOSIS, Sequence.of(2), "a"));
        assertEquals("store_unavailable", Frames.parse(connection.await(ofType("error"), WAIT)).getString("code"));

        herald.acks.beforeStoring(seq -> { });
        herald.gateway.onFrame(alice, new ClientFrame.Ack(DIAGNOSIS, Sequence.of(2), "a"));

        assertEquals(Optional.of(Sequence.of(2)), herald.acks.position("alice", DIAGNOSIS));
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("latch not released within " + WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void commandsReachTheApplicationAndAreAccepted() throws Exception {
        RecordingConnection connection = new RecordingConnection();
        ClientSession alice = open(connection, "alice");

        herald.gateway.onFrame(alice, new ClientFrame.Command(DIAGNOSIS, "cancel", "{\"iteration\":3}", "k1"));

        assertEquals(1, herald.commands.size());
        ClientCommand command = herald.commands.get(0);
        assertEquals("cancel", command.name());
        assertEquals(DIAGNOSIS, command.channel());
        assertEquals("alice", command.principal().subject());
        assertEquals("{\"iteration\":3}", command.data());
        assertEquals("k1", Frames.parse(connection.await(ofType("accepted"), WAIT)).getString("ref"));
    }

    @Test
    void aCommandTheApplicationFailsOnIsReportedAndForbiddenOnesNeverArrive() throws Exception {
        herald.onCommand(command -> {
            throw new IllegalStateException("worker unavailable");
        });
        RecordingConnection connection = new RecordingConnection();
        ClientSession alice = open(connection, "alice");
        herald.gateway.onFrame(alice, new ClientFrame.Command(DIAGNOSIS, "cancel", "null", "k1"));
        assertEquals("command_failed", Frames.parse(connection.await(ofType("error"), WAIT)).getString("code"));

        herald.onCommand(herald.commands::add);
        RecordingConnection bobConnection = new RecordingConnection();
        herald.gateway.onFrame(open(bobConnection, "bob"), new ClientFrame.Command(DIAGNOSIS, "cancel", "null", "k2"));
        assertEquals("forbidden", Frames.parse(bobConnection.await(ofType("error"), WAIT)).getString("code"));
        assertTrue(herald.commands.isEmpty());
    }

    @Test
    void aRefreshedTokenEndsSubscriptionsItNoLongerGrants() throws Exception {
        RecordingConnection connection = new RecordingConnection();
        ClientSession alice = open(connection, "alice");
        herald.gateway.onFrame(alice, new ClientFrame.Subscribe(DIAGNOSIS, Optional.empty(), null));
        connection.await(ofType("subscribed"), WAIT);

        herald.gateway.onFrame(alice, new ClientFrame.Auth("alice-narrow"));

        assertEquals("diagnosis:42", Frames.parse(connection.await(ofType("unsubscribed"), WAIT)).getString("channel"));
        assertEquals("alice", Frames.parse(connection.await(ofType("refreshed"), WAIT)).getString("user"));
        assertTrue(alice.subscriptions().isEmpty());
        assertNull(connection.closeCode());
    }

    @Test
    void aRefreshForAnotherSubjectOrWithABadTokenCloses4001() {
        RecordingConnection switching = new RecordingConnection();
        herald.gateway.onFrame(open(switching, "alice"), new ClientFrame.Auth("bob"));
        assertEquals(CloseCode.UNAUTHORIZED, switching.closeCode());

        RecordingConnection forged = new RecordingConnection();
        herald.gateway.onFrame(open(forged, "alice"), new ClientFrame.Auth("forged"));
        assertEquals(CloseCode.UNAUTHORIZED, forged.closeCode());
    }

    @Test
    void badFramesAreAnsweredWithErrorsAndTheConnectionStaysUp() {
        RecordingConnection connection = new RecordingConnection();
        ClientSession alice = open(connection, "alice");

        herald.gateway.onBadFrame(alice, new HeraldException(ErrorCode.BAD_JSON, "not JSON"), "r9");
        herald.gateway.onFrame(alice, new ClientFrame.Unsubscribe(DIAGNOSIS, "r10"));

        JsonObject badJson = Frames.parse(connection.frames().get(1));
        assertEquals("bad_json", badJson.getString("code"));
        assertEquals("r9", badJson.getString("ref"));
        JsonObject notSubscribed = Frames.parse(connection.frames().get(2));
        assertEquals("not_subscribed", notSubscribed.getString("code"));
        assertEquals("r10", notSubscribed.getString("ref"));
        assertNull(connection.closeCode());
    }

    @Test
    void pingIsAnsweredWithPong() {
        RecordingConnection connection = new RecordingConnection();
        herald.gateway.onFrame(open(connection, "alice"), new ClientFrame.Ping());
        assertEquals("pong", lastType(connection));
    }
}
