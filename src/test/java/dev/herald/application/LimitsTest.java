package dev.herald.application;

import dev.herald.application.audit.AuditFilter;
import dev.herald.application.audit.AuditQuery;
import dev.herald.application.audit.AuditRecord;
import dev.herald.application.session.Admission;
import dev.herald.application.session.ClientFrame;
import dev.herald.application.session.ClientSession;
import dev.herald.application.session.CloseCode;
import dev.herald.domain.ChannelName;
import dev.herald.infrastructure.broker.memory.InMemoryBroker;
import dev.herald.testing.ApplicationHarness;
import dev.herald.testing.Frames;
import dev.herald.testing.MutableClock;
import dev.herald.testing.RecordingConnection;
import dev.herald.testing.TestTokens;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.herald.testing.Frames.ofType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every connection and subscription limit of the application layer, and its audit. */
class LimitsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ChannelName DIAGNOSIS = ChannelName.parse("diagnosis:42");
    private static final ChannelName PROJECT = ChannelName.parse("project:7");
    private static final Instant LATER = Instant.now().plusSeconds(3600);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private ApplicationHarness herald;

    private void start(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(Map.of("herald.limits.connections-per-user", "0"));
        all.putAll(settings);
        herald = new ApplicationHarness(new InMemoryBroker(), clock, all, List.of());
        herald.tokens.register("alice", TestTokens.user("alice",
                List.of("diagnosis:*", "project:*"), List.of(), LATER));
    }

    @AfterEach
    void stop() {
        if (herald != null) {
            herald.close();
        }
    }

    private ClientSession open(RecordingConnection connection) {
        return herald.gateway.open(connection, Optional.of("alice"), Optional.empty(), Optional.empty());
    }

    private ClientSession subscribed(ChannelName channel) throws InterruptedException {
        RecordingConnection connection = new RecordingConnection();
        ClientSession session = open(connection);
        herald.gateway.onFrame(session, new ClientFrame.Subscribe(channel, Optional.empty(), null));
        connection.await(ofType("subscribed"), WAIT);
        return session;
    }

    private List<AuditRecord> limitRecords() {
        herald.audit.flush();
        return herald.audit.search(AuditQuery.newest(AuditFilter.parse("limit", null, null, null), 100)).items();
    }

    @Test
    void aSubscribeOverTheChannelLimitGetsChannelFullUntilASubscriberLeaves() throws Exception {
        start(Map.of("herald.limits.connections-per-channel", "2"));
        subscribed(DIAGNOSIS);
        ClientSession second = subscribed(DIAGNOSIS);
        RecordingConnection third = new RecordingConnection();
        ClientSession late = open(third);

        herald.gateway.onFrame(late, new ClientFrame.Subscribe(DIAGNOSIS, Optional.empty(), "r1"));

        JsonObject error = Frames.parse(third.await(ofType("error"), WAIT));
        assertEquals("channel_full", error.getString("code"));
        assertEquals("r1", error.getString("ref"));
        assertFalse(late.subscriptions().containsKey(DIAGNOSIS));
        AuditRecord limit = limitRecords().get(0);
        assertEquals("diagnosis:42", limit.channel());
        assertEquals("connections-per-channel", Frames.parse(limit.detail()).getString("limit"));

        herald.gateway.closed(second);
        herald.gateway.onFrame(late, new ClientFrame.Subscribe(DIAGNOSIS, Optional.empty(), "r2"));
        assertEquals("r2", Frames.parse(third.await(ofType("subscribed"), WAIT)).getString("ref"));
        assertEquals(2, herald.occupancy.count(DIAGNOSIS));
    }

    @Test
    void aNamespaceOverrideReplacesTheDefaultChannelLimit() throws Exception {
        start(Map.of("herald.limits.connections-per-channel", "1", "herald.limits.connections-per-channel.diagnosis", "3"));
        for (int i = 0; i < 3; i++) {
            subscribed(DIAGNOSIS);
        }
        subscribed(PROJECT);

        assertTrue(herald.occupancy.isFull(DIAGNOSIS));
        assertTrue(herald.occupancy.isFull(PROJECT));
        assertEquals(3, herald.occupancy.count(DIAGNOSIS));
    }

    @Test
    void aSingleChannelConnectionToAFullChannelIsClosedToTryAgainLater() throws Exception {
        start(Map.of("herald.limits.connections-per-channel", "1"));
        subscribed(DIAGNOSIS);
        RecordingConnection entry = new RecordingConnection();

        herald.gateway.open(entry, Optional.of("alice"), Optional.of(DIAGNOSIS), Optional.empty());

        assertEquals(CloseCode.TRY_AGAIN_LATER, entry.closeCode());
    }

    @Test
    void theAdmissionRefusesAFullChannelAndAFullInstanceAndAuditsBoth() throws Exception {
        start(Map.of("herald.limits.connections-per-channel", "1", "herald.limits.connections-per-instance", "2"));
        assertTrue(herald.admission.admit("10.0.0.1", Optional.of(DIAGNOSIS), "websocket").isEmpty());
        subscribed(DIAGNOSIS);

        Optional<Admission.Refusal> channel = herald.admission.admit("10.0.0.1", Optional.of(DIAGNOSIS), "websocket");
        assertEquals(ErrorCode.CHANNEL_FULL, channel.orElseThrow().code());
        assertTrue(herald.admission.admit("10.0.0.1", Optional.of(PROJECT), "sse").isEmpty());

        open(new RecordingConnection());
        Optional<Admission.Refusal> instance = herald.admission.admit("10.0.0.1", Optional.empty(), "websocket");
        assertEquals(ErrorCode.INSTANCE_FULL, instance.orElseThrow().code());
        assertEquals(503, instance.get().code().httpStatus());

        List<AuditRecord> limits = limitRecords();
        assertEquals(List.of("instance_full", "channel_full"),
                limits.stream().map(r -> Frames.parse(r.detail()).getString("code")).toList(), "newest first");
        assertEquals("diagnosis:42", limits.get(1).channel());
        assertEquals("websocket", limits.get(1).transport());
    }

    @Test
    void anAddressOverItsConnectionRateIsRefusedUntilItsBucketRefills() {
        start(Map.of("herald.limits.connection-rate", "2", "herald.limits.connection-burst", "3"));
        for (int i = 0; i < 3; i++) {
            assertTrue(herald.admission.admit("10.0.0.1", Optional.empty(), "websocket").isEmpty(), "burst " + i);
        }

        assertEquals(ErrorCode.RATE_LIMITED, herald.admission.admit("10.0.0.1", Optional.empty(), "websocket").orElseThrow().code());
        assertTrue(herald.admission.admit("10.0.0.2", Optional.empty(), "websocket").isEmpty(), "another address has its own bucket");

        clock.advance(Duration.ofMillis(500)); // one more token at 2 per second
        assertTrue(herald.admission.admit("10.0.0.1", Optional.empty(), "websocket").isEmpty());
        assertEquals(ErrorCode.RATE_LIMITED, herald.admission.admit("10.0.0.1", Optional.empty(), "websocket").orElseThrow().code());
    }

    @Test
    void aSubscriptionBeyondThePerConnectionLimitGetsTooManySubscriptions() throws Exception {
        start(Map.of("herald.limits.subscriptions-per-connection", "2"));
        RecordingConnection connection = new RecordingConnection();
        ClientSession session = open(connection);
        herald.gateway.onFrame(session, new ClientFrame.Subscribe(DIAGNOSIS, Optional.empty(), "a"));
        herald.gateway.onFrame(session, new ClientFrame.Subscribe(PROJECT, Optional.empty(), "b"));

        herald.gateway.onFrame(session, new ClientFrame.Subscribe(ChannelName.parse("project:8"), Optional.empty(), "c"));

        JsonObject error = Frames.parse(connection.await(ofType("error"), WAIT));
        assertEquals("too_many_subscriptions", error.getString("code"));
        assertEquals("c", error.getString("ref"));
        assertEquals(2, session.subscriptions().size());
        assertEquals("subscriptions-per-connection", Frames.parse(limitRecords().get(0).detail()).getString("limit"));
        herald.gateway.onFrame(session, new ClientFrame.Subscribe(PROJECT, Optional.empty(), "again"));
        assertEquals("already_subscribed", Frames.parse(connection.await(
                f -> f.contains("\"again\"") && Frames.type(f).equals("error"), WAIT)).getString("code"),
                "a channel already held is not a new subscription");
    }

    @Test
    void aClientFloodingFramesIsClosedWith4029AndAudited() {
        start(Map.of("herald.limits.client-messages-per-second", "10", "herald.limits.client-messages-burst", "5"));
        RecordingConnection connection = new RecordingConnection();
        ClientSession session = open(connection);
        for (int i = 0; i < 5; i++) {
            herald.gateway.onFrame(session, new ClientFrame.Ping());
        }
        assertNull(connection.closeCode(), "the burst is allowed");

        herald.gateway.onFrame(session, new ClientFrame.Ping());

        assertEquals(CloseCode.RATE_LIMITED, connection.closeCode());
        assertEquals(5, connection.frames().stream().filter(ofType("pong")).count(), "the frame over the rate was not handled");
        herald.gateway.closed(session, CloseCode.RATE_LIMITED.code(), connection.closeReason());
        assertEquals(4029, Frames.parse(limitRecords().get(0).detail()).getInt("code"));
    }

    @Test
    void aClientWithinItsFrameRateIsNeverClosed() {
        start(Map.of("herald.limits.client-messages-per-second", "10", "herald.limits.client-messages-burst", "5"));
        RecordingConnection connection = new RecordingConnection();
        ClientSession session = open(connection);

        for (int i = 0; i < 50; i++) {
            herald.gateway.onFrame(session, new ClientFrame.Ping());
            clock.advance(Duration.ofMillis(100));
        }

        assertNull(connection.closeCode());
        assertEquals(50, connection.frames().stream().filter(ofType("pong")).count());
    }
}
