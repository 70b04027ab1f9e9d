package dev.herald.application.audit;

import dev.herald.application.HeraldException;
import dev.herald.application.PublishService;
import dev.herald.application.session.ClientFrame;
import dev.herald.application.session.ClientSession;
import dev.herald.application.session.CloseCode;
import dev.herald.domain.ChannelName;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuditTrailTest {

    private static final Instant LATER = Instant.now().plusSeconds(3600);
    private static final ChannelName DIAGNOSIS = ChannelName.parse("diagnosis:42");
    private static final String ALICE_TOKEN = "alice-secret-token-value";

    private ApplicationHarness herald;

    @BeforeEach
    void start() {
        herald = new ApplicationHarness(new InMemoryBroker(), Clock.systemUTC(), Map.of("herald.audit.queue-size", "50"));
        herald.tokens.register(ALICE_TOKEN, TestTokens.user("alice", List.of("diagnosis:*"), List.of("diagnosis:*"), LATER));
    }

    @AfterEach
    void stop() {
        herald.close();
    }

    private List<AuditRecord> stored(AuditFilter filter) {
        herald.audit.flush();
        return herald.audit.search(AuditQuery.newest(filter, 100)).items();
    }

    @Test
    void aSessionsConnectDeniedSubscribePublishAndDisconnectAreRecordedInOrder() {
        RecordingConnection connection = new RecordingConnection();
        ClientSession session = herald.gateway.open(connection, Optional.of(ALICE_TOKEN), Optional.empty(), Optional.empty());
        herald.gateway.onFrame(session, new ClientFrame.Subscribe(ChannelName.parse("project:7"), Optional.empty(), "r1"));
        herald.gateway.onFrame(session, new ClientFrame.Publish(DIAGNOSIS, "timeline_update", "{}", null, "r2"));
        session.close(CloseCode.NORMAL, "bye");
        herald.gateway.closed(session);

        List<AuditRecord> records = stored(AuditFilter.parse(null, "alice", null, null));

        assertEquals(List.of(AuditType.DISCONNECT, AuditType.PUBLISH, AuditType.SUBSCRIBE_DENIED, AuditType.CONNECT),
                records.stream().map(AuditRecord::type).toList(), "newest first");
        AuditRecord publish = records.get(1);
        assertEquals("diagnosis:42", publish.channel());
        assertEquals("websocket", publish.transport());
        assertEquals(session.id(), publish.connection());
        JsonObject detail = Frames.parse(publish.detail());
        assertEquals("timeline_update", detail.getString("event"));
        assertEquals(1, detail.getInt("seq"));
        assertEquals(AuditOutcome.DENIED, records.get(2).outcome());
        assertEquals("project:7", records.get(2).channel());
        JsonObject disconnect = Frames.parse(records.get(0).detail());
        assertEquals(1000, disconnect.getInt("code"));
        assertEquals("bye", disconnect.getString("reason"));
        records.forEach(r -> assertFalse(r.toJson().contains(ALICE_TOKEN), "never the token: " + r.toJson()));
    }

    @Test
    void aRefusedTokenIsAnAuthFailureWithTheReasonButNeverTheToken() {
        RecordingConnection connection = new RecordingConnection();
        ClientSession session = herald.gateway.open(connection, Optional.of("forged-token-value"), Optional.empty(), Optional.empty());
        herald.gateway.closed(session);

        List<AuditRecord> failures = stored(AuditFilter.parse("auth_failure", null, null, null));

        assertEquals(1, failures.size());
        AuditRecord failure = failures.get(0);
        assertEquals(AuditOutcome.DENIED, failure.outcome());
        assertNull(failure.user());
        assertFalse(Frames.parse(failure.detail()).getString("reason").isEmpty());
        assertFalse(failure.toJson().contains("forged-token-value"));
        assertTrue(stored(AuditFilter.parse("disconnect", null, null, null)).isEmpty(),
                "a connection that never authenticated was never connected");
    }

    @Test
    void aDeniedPublishIsRecordedAsDenied() {
        herald.tokens.register("bob", TestTokens.user("bob", List.of(), List.of(), LATER));
        assertThrows(HeraldException.class, () -> herald.publishing.publish(herald.tokens.verify("bob"), DIAGNOSIS,
                PublishService.draft("step", "{}", null), PublishService.Origin.HTTP));

        AuditRecord denied = stored(AuditFilter.parse("publish", "bob", null, null)).get(0);

        assertEquals(AuditOutcome.DENIED, denied.outcome());
        assertEquals("http", denied.transport());
    }

    @Test
    void aSlowConsumerCloseIsALimitHitAsWellAsADisconnect() {
        RecordingConnection connection = new RecordingConnection();
        ClientSession session = herald.gateway.open(connection, Optional.of(ALICE_TOKEN), Optional.empty(), Optional.empty());
        // As a transport reports a close it made itself: its code reaches the session through closed().
        herald.gateway.closed(session, CloseCode.SLOW_CONSUMER.code(), "outgoing queue full");

        AuditRecord limit = stored(AuditFilter.parse("limit", "alice", null, null)).get(0);

        assertEquals(4009, Frames.parse(limit.detail()).getInt("code"));
        assertEquals(1, stored(AuditFilter.parse("disconnect", "alice", null, null)).size());
    }

    private void recordAdmin(int n) {
        herald.audit.record(AuditEvent.of(AuditType.ADMIN, AuditOutcome.OK).user("root").with("n", n));
    }

    @Test
    void aRecorderThatFindsTheQueueFullWaitsForTheFlushInsteadOfDroppingItsRecord() throws Exception {
        for (int i = 0; i < 50; i++) {
            recordAdmin(i);
        }
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> recordAdmin(50));
        assertThrows(TimeoutException.class, () -> waiting.get(100, TimeUnit.MILLISECONDS), "held while the queue is full");

        herald.audit.flush(); // makes room
        waiting.get(10, TimeUnit.SECONDS);
        herald.audit.flush();

        assertEquals(0, herald.audit.dropped());
        assertEquals(51, herald.auditStore.size());
    }

    @Test
    void aRecordThatFindsNoRoomWithinTheWaitIsDroppedAndCounted() {
        try (ApplicationHarness impatient = new ApplicationHarness(new InMemoryBroker(), Clock.systemUTC(),
                Map.of("herald.audit.queue-size", "50", "herald.audit.max-wait", "0"))) {
            for (int i = 0; i < 80; i++) {
                impatient.audit.record(AuditEvent.of(AuditType.ADMIN, AuditOutcome.OK).user("root").with("n", i));
            }

            assertEquals(50, impatient.audit.queued());
            assertEquals(30, impatient.audit.dropped());
            assertEquals(50, impatient.audit.flush());
        }
    }

    @Test
    void whileTheStoreIsDownAFullQueueDropsAtOnceInsteadOfStallingTheRecorders() {
        herald.auditStore.down(true);
        recordAdmin(0);
        assertEquals(0, herald.audit.flush(), "the store is down");
        for (int i = 1; i < 60; i++) {
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> recordAdmin(-1), "no wait during an outage");
        }

        assertEquals(51, herald.audit.queued(), "the batch kept for the retry and a full queue");
        assertEquals(9, herald.audit.dropped());
    }

    @Test
    void aBatchWaitsOutAStoreOutageAndIsWrittenOnceItIsBack() {
        herald.auditStore.down(true);
        herald.audit.record(AuditEvent.of(AuditType.ADMIN, AuditOutcome.OK).user("root"));

        assertEquals(0, herald.audit.flush());
        assertFalse(herald.audit.storeUp());
        assertEquals(1, herald.audit.queued(), "kept for the next flush");

        herald.auditStore.down(false);
        assertEquals(1, herald.audit.flush());
        assertEquals(1, herald.auditStore.size());
        assertEquals(0, herald.audit.dropped());
    }

    @Test
    void watchersGetOnlyMatchingRecordsAndAreForgottenOnceReleased() {
        RecordingConnection admin = new RecordingConnection();
        ClientSession watcher = herald.gateway.open(admin, Optional.empty(), Optional.empty(), Optional.empty());
        herald.audit.feed().watch(watcher, AuditFilter.parse("publish", null, "diagnosis:", null));

        herald.audit.record(AuditEvent.of(AuditType.PUBLISH, AuditOutcome.OK).channel(DIAGNOSIS).with("seq", 1));
        herald.audit.record(AuditEvent.of(AuditType.PUBLISH, AuditOutcome.OK).channel(ChannelName.parse("project:7")));
        herald.audit.record(AuditEvent.of(AuditType.CONNECT, AuditOutcome.OK).user("alice"));

        assertEquals(1, admin.frames().size());
        JsonObject frame = Frames.parse(admin.frames().get(0));
        assertEquals("audit", frame.getString("type"));
        assertEquals("diagnosis:42", frame.getJsonObject("record").getString("channel"));

        herald.gateway.closed(watcher);
        herald.audit.record(AuditEvent.of(AuditType.PUBLISH, AuditOutcome.OK).channel(DIAGNOSIS));
        assertEquals(0, herald.audit.feed().size());
    }

    @Test
    void publishRecordsFeedEachChannelsMovingRate() {
        for (int i = 0; i < 5; i++) {
            herald.audit.record(AuditEvent.of(AuditType.PUBLISH, AuditOutcome.OK).channel(DIAGNOSIS));
        }

        double rate = herald.audit.rates().perSecond("diagnosis:42", System.currentTimeMillis());

        assertTrue(rate > 0.3 && rate <= 0.5, "five events weigh 5/10 s just after they were seen: " + rate);
        assertEquals(0, herald.audit.rates().perSecond("project:7", System.currentTimeMillis()));
    }

    @Test
    void badFilterCriteriaAreRefusedWithTheirName() {
        HeraldException type = assertThrows(HeraldException.class, () -> AuditFilter.parse("nope", null, null, null));
        HeraldException outcome = assertThrows(HeraldException.class, () -> AuditFilter.parse(null, null, null, "maybe"));

        assertTrue(type.getMessage().contains("audit type"));
        assertTrue(outcome.getMessage().contains("outcome"));
        assertThrows(HeraldException.class, () -> AuditQuery.Cursor.decode("not a cursor"));
    }

    @Test
    void aCursorSurvivesItsRoundTrip() {
        AuditQuery.Cursor cursor = new AuditQuery.Cursor(Instant.parse("2030-01-01T00:00:00.123Z"), "abc_-9");

        assertEquals(cursor, AuditQuery.Cursor.decode(cursor.encode()));
    }

    @Test
    void retentionDeletesOnlyRecordsOlderThanMaxAge() {
        herald.auditStore.append(List.of(new AuditRecord("old", Instant.now().minusSeconds(40L * 24 * 3600), AuditType.CONNECT,
                AuditOutcome.OK, "alice", "i", null, null, null, "{}")));
        herald.audit.record(AuditEvent.of(AuditType.CONNECT, AuditOutcome.OK).user("alice"));
        herald.audit.flush();

        assertEquals(1, herald.audit.sweepRetention());
        assertEquals(1, herald.auditStore.size());
    }
}
