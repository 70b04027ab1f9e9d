package dev.herald.interfaces.sse;

import dev.herald.application.PublishService;
import dev.herald.application.security.Principal;
import dev.herald.application.session.ClientSession;
import dev.herald.application.session.CloseCode;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Sequence;
import dev.herald.infrastructure.broker.memory.InMemoryBroker;
import dev.herald.testing.ApplicationHarness;
import dev.herald.testing.MutableClock;
import dev.herald.testing.TestTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SSE transport over the application layer wired with Herald's in-memory ports. */
class SseConnectionTest {

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final ChannelName CHANNEL = ChannelName.parse("diagnosis:42");
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration HEARTBEAT = Duration.ofSeconds(15);
    private static final long MAX_PENDING = 2048;

    private final MutableClock clock = new MutableClock(START);
    private ApplicationHarness herald;
    private Principal publisher;

    @BeforeEach
    void start() {
        herald = new ApplicationHarness(new InMemoryBroker(), clock, Map.of(
                "herald.limits.max-frame-size", "1KiB",
                "herald.limits.max-pending-bytes", Long.toString(MAX_PENDING),
                "herald.heartbeat.interval", "1s",
                "herald.heartbeat.timeout", "1s",
                "herald.idle-timeout", "2s"));
        herald.tokens.register("alice", TestTokens.user("alice", TestTokens.grants("diagnosis:*"), List.of(), START.plus(Duration.ofHours(1))));
        herald.tokens.register("short", TestTokens.user("alice", TestTokens.grants("diagnosis:*"), List.of(), START.plus(Duration.ofSeconds(40))));
        herald.tokens.register("bob", TestTokens.user("bob", List.of(), List.of(), START.plus(Duration.ofHours(1))));
        publisher = TestTokens.user("backend", List.of(), TestTokens.grants("*"), START.plus(Duration.ofHours(1)));
    }

    @AfterEach
    void stop() {
        herald.close();
    }

    private SseConnection connection() {
        return new SseConnection(Duration.ofSeconds(3), HEARTBEAT, MAX_PENDING);
    }

    private ClientSession open(SseConnection connection, String token, Optional<Sequence> since) {
        return herald.gateway.open(connection, Optional.of(token), Optional.of(CHANNEL), since);
    }

    /** A started stream, once its subscribed event was written. */
    private RecordingOutput subscribed(String token) throws InterruptedException {
        SseConnection connection = connection();
        RecordingOutput out = new RecordingOutput(connection);
        open(connection, token, Optional.empty());
        connection.start(out);
        out.await(t -> t.contains("event: subscribed"));
        return out;
    }

    /** Waits until the session's subscription receives live events (its subscribed frame is queued by then). */
    private static void awaitLive(ClientSession session) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (session.subscriptions().get(CHANNEL) == null || !session.subscriptions().get(CHANNEL).isLive()) {
            assertTrue(System.nanoTime() < deadline, "subscribed within " + WAIT);
            Thread.sleep(5);
        }
    }

    private void publish(String type, String data) {
        herald.publishing.publish(publisher, CHANNEL, PublishService.draft(type, data, null), PublishService.Origin.HTTP);
    }

    @Test
    void streamsTheRetryHintThenSubscribedThenEachEventWithItsSeqAsId() throws Exception {
        publish("timeline_update", "{\"step\":1}");
        publish("timeline_update", "{\"step\":2}");
        SseConnection connection = connection();
        RecordingOutput out = new RecordingOutput(connection);
        open(connection, "alice", Optional.of(Sequence.of(0)));
        connection.start(out);

        String text = out.await(t -> t.contains("id: 2\n"));
        assertTrue(text.startsWith("retry: 3000\n\n"
                + "event: subscribed\ndata: {\"type\":\"subscribed\",\"channel\":\"diagnosis:42\",\"seq\":2,\"recovered\":true,\"replayed\":2}\n\n"
                + "id: 1\nevent: timeline_update\ndata: {\"type\":\"timeline_update\",\"channel\":\"diagnosis:42\",\"seq\":1,"), text);
        assertTrue(text.contains("\"data\":{\"step\":1}}\n\nid: 2\nevent: timeline_update\ndata: {\"type\":\"timeline_update\",\"channel\":\"diagnosis:42\",\"seq\":2,"), text);
        assertFalse(text.contains("welcome"), "no welcome on a stream: " + text);

        publish("note_added", "{\"text\":\"live\"}");
        text = out.await(t -> t.contains("id: 3\nevent: note_added\ndata: {\"type\":\"note_added\""));
        assertTrue(text.endsWith("\"data\":{\"text\":\"live\"}}\n\n"), text);
        assertTrue(out.flushes > 0, "every batch is flushed");
    }

    @Test
    void framesQueuedBeforeTheStartFollowTheRetryHintInOrder() throws Exception {
        SseConnection connection = connection();
        ClientSession session = open(connection, "alice", Optional.empty());
        RecordingOutput out = new RecordingOutput(connection);
        awaitLive(session);
        connection.start(out);

        String text = out.await(t -> t.contains("event: subscribed"));
        assertTrue(text.startsWith("retry: 3000\n\nevent: subscribed\ndata: {\"type\":\"subscribed\",\"channel\":\"diagnosis:42\",\"seq\":0,\"recovered\":false,\"replayed\":0}\n\n"), text);
    }

    @Test
    void aCloseSendsTheCloseEventAndThenEndsTheResponse() throws Exception {
        RecordingOutput out = subscribed("alice");
        SseConnection connection = out.connection;

        connection.close(CloseCode.REPLACED, "replaced by a newer connection");

        String text = out.awaitEnd();
        assertTrue(text.endsWith("\n\nevent: close\ndata: {\"type\":\"close\",\"code\":4008,\"reason\":\"replaced by a newer connection\"}\n\n"), text);
        assertFalse(connection.isOpen());
        publish("timeline_update", "{}");
        assertEquals(text, out.text(), "nothing after the close event");
    }

    @Test
    void aStreamThatCannotKeepUpIsClosedAsASlowConsumerWithOnlyTheCloseEventLeftToWrite() throws Exception {
        SseConnection connection = connection();
        RecordingOutput out = new RecordingOutput(connection);
        out.ready = false;
        awaitLive(open(connection, "alice", Optional.empty()));
        connection.start(out);
        for (int i = 0; i < 40 && connection.isOpen(); i++) {
            publish("output", "{\"line\":\"" + "x".repeat(100) + "\"}");
        }
        assertFalse(connection.isOpen(), "closed once more than " + MAX_PENDING + " bytes were queued");

        out.becomeReady();

        String text = out.awaitEnd();
        assertTrue(text.startsWith("retry: 3000\n\nevent: close\ndata: {\"type\":\"close\",\"code\":4009,"), text);
        assertFalse(text.contains("event: output"), "the queued events were dropped: " + text);
    }

    @Test
    void aStreamReportsTheCodeOfItsOwnCloseToItsSessionButNoneWhenTheClientWentAway() throws Exception {
        SseConnection slow = connection();
        ClientSession slowSession = open(slow, "alice", Optional.empty());
        slow.closesReportTo(slowSession);
        RecordingOutput stalled = new RecordingOutput(slow);
        stalled.ready = false;
        awaitLive(slowSession);
        slow.start(stalled);
        SseConnection gone = connection();
        ClientSession goneSession = open(gone, "alice", Optional.empty());
        gone.closesReportTo(goneSession);
        gone.start(new RecordingOutput(gone));

        for (int i = 0; i < 40 && slow.isOpen(); i++) {
            publish("output", "{\"line\":\"" + "x".repeat(100) + "\"}");
        }
        gone.abort();

        assertFalse(slow.isOpen());
        assertEquals(CloseCode.SLOW_CONSUMER.code(), slowSession.closing().orElseThrow().code());
        assertTrue(slowSession.closing().orElseThrow().reason().startsWith("outgoing queue full"), slowSession.closing().toString());
        assertEquals(Optional.empty(), goneSession.closing());
    }

    @Test
    void aTokenOrGrantRefusedWhileOpeningLeavesTheStreamUnstartedWithTheCloseCode() {
        SseConnection invalid = connection();
        ClientSession a = open(invalid, "no such token", Optional.empty());
        assertEquals(Optional.of(CloseCode.UNAUTHORIZED), invalid.closedBeforeStart());

        SseConnection forbidden = connection();
        ClientSession b = open(forbidden, "bob", Optional.empty());
        assertEquals(Optional.of(CloseCode.FORBIDDEN), forbidden.closedBeforeStart());

        SseConnection allowed = connection();
        open(allowed, "alice", Optional.empty());
        assertEquals(Optional.empty(), allowed.closedBeforeStart());
        herald.gateway.closed(a);
        herald.gateway.closed(b);
    }

    @Test
    void aQuietStreamGetsACommentEachHeartbeatAndAStalledOneIsClosedThenEnded() throws Exception {
        RecordingOutput out = subscribed("alice");
        SseConnection connection = out.connection;
        long now = System.nanoTime();

        connection.heartbeat(now);
        assertFalse(out.text().contains(": ping"), "not yet quiet for a heartbeat period");
        connection.heartbeat(now + HEARTBEAT.toNanos());
        assertTrue(out.await(t -> t.endsWith("\n\n: ping\n\n")).endsWith(": ping\n\n"));

        out.ready = false;
        connection.heartbeat(now + 2 * HEARTBEAT.toNanos());
        assertTrue(connection.isOpen(), "one unwritten comment is not yet a dead client");
        connection.heartbeat(now + 4 * HEARTBEAT.toNanos());
        assertFalse(connection.isOpen(), "nothing written for two heartbeat periods");
        assertFalse(out.ended);
        connection.heartbeat(now + 6 * HEARTBEAT.toNanos());
        assertTrue(out.ended, "the close event could not be written within a period either");
    }

    @Test
    void theMonitorNeitherPingsNorIdleClosesAStreamButClosesItWhenTheTokenExpires() throws Exception {
        RecordingOutput out = subscribed("short");
        SseConnection connection = out.connection;

        for (int i = 0; i < 10; i++) { // far past the 1 s heartbeat and timeout and the 2 s idle timeout
            clock.advance(Duration.ofSeconds(1));
            herald.monitor.sweep();
        }
        assertTrue(connection.isOpen(), out.text());

        clock.advance(Duration.ofSeconds(60)); // past exp plus the 30 s clock skew
        herald.monitor.sweep();

        String text = out.awaitEnd();
        assertTrue(text.endsWith("event: close\ndata: {\"type\":\"close\",\"code\":4010,\"reason\":\"token expired; reconnect with a fresh token\"}\n\n"), text);
        assertFalse(text.contains("ping"), "no ping frame or comment: " + text);
    }

    @Test
    void aFailedSubscriptionEndsTheStreamWithTryAgainLaterWhenTheStoreIsDown() throws Exception {
        publish("timeline_update", "{}");
        herald.database.down();
        SseConnection connection = connection();
        RecordingOutput out = new RecordingOutput(connection);
        open(connection, "alice", Optional.of(Sequence.of(0)));
        connection.start(out);

        String text = out.awaitEnd();
        assertTrue(text.contains("event: close\ndata: {\"type\":\"close\",\"code\":1013,"), text);
    }

    /** An output that records what is written, and can stop taking writes like a full socket. */
    static final class RecordingOutput implements SseConnection.Output {
        final SseConnection connection;
        private final StringBuilder written = new StringBuilder();
        volatile boolean ready = true;
        volatile boolean ended;
        volatile int flushes;

        RecordingOutput(SseConnection connection) {
            this.connection = connection;
        }

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public synchronized void write(byte[] bytes) throws IOException {
            if (!ready) {
                throw new IOException("written while not ready");
            }
            written.append(new String(bytes, StandardCharsets.UTF_8));
            notifyAll();
        }

        @Override
        public synchronized void flush() {
            flushes++;
        }

        @Override
        public synchronized void end() {
            ended = true;
            notifyAll();
        }

        void becomeReady() {
            ready = true;
            connection.writable();
        }

        synchronized String text() {
            return written.toString();
        }

        synchronized String await(Predicate<String> match) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!match.test(written.toString())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("not written within " + WAIT + ": " + written);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return written.toString();
        }

        synchronized String awaitEnd() throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!ended) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("not ended within " + WAIT + ": " + written);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return written.toString();
        }
    }
}
