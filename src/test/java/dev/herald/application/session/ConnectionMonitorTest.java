package dev.herald.application.session;

import dev.herald.domain.ChannelName;
import dev.herald.infrastructure.broker.memory.InMemoryBroker;
import dev.herald.testing.ApplicationHarness;
import dev.herald.testing.Frames;
import dev.herald.testing.MutableClock;
import dev.herald.testing.RecordingConnection;
import dev.herald.testing.TestTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionMonitorTest {

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private ApplicationHarness herald;

    @BeforeEach
    void start() {
        herald = new ApplicationHarness(new InMemoryBroker(), clock, Map.of(
                "herald.auth-timeout", "5s",
                "herald.heartbeat.interval", "30s",
                "herald.heartbeat.timeout", "10s",
                "herald.idle-timeout", "5m"));
        herald.tokens.register("alice", TestTokens.user("alice", List.of(), List.of(), START.plus(Duration.ofHours(1))));
        herald.tokens.register("short", TestTokens.user("alice", List.of(), List.of(), START.plus(Duration.ofSeconds(40))));
    }

    @AfterEach
    void stop() {
        herald.close();
    }

    private ClientSession open(RecordingConnection connection, String token) {
        return herald.gateway.open(connection, Optional.ofNullable(token), Optional.empty(), Optional.empty());
    }

    private void after(Duration d) {
        clock.advance(d);
        herald.monitor.sweep();
    }

    @Test
    void anUnauthenticatedConnectionIsClosedAfterTheAuthTimeout() {
        RecordingConnection connection = new RecordingConnection();
        open(connection, null);

        after(Duration.ofSeconds(4));
        assertNull(connection.closeCode());
        after(Duration.ofSeconds(1));
        assertEquals(CloseCode.UNAUTHORIZED, connection.closeCode());
    }

    @Test
    void aQuietConnectionIsPingedAndClosedWhenNoPongComes() {
        RecordingConnection connection = new RecordingConnection();
        open(connection, "alice");

        after(Duration.ofSeconds(29));
        assertEquals(1, connection.frames().size(), "only the welcome so far");
        after(Duration.ofSeconds(1));
        assertEquals("ping", Frames.type(connection.frames().get(1)));
        after(Duration.ofSeconds(9));
        assertNull(connection.closeCode());
        after(Duration.ofSeconds(1));
        assertEquals(CloseCode.HEARTBEAT_TIMEOUT, connection.closeCode());
    }

    @Test
    void aPongKeepsTheConnectionButDoesNotCountAsActivity() {
        RecordingConnection connection = new RecordingConnection();
        ClientSession session = open(connection, "alice");

        // Answer every ping for just under five minutes: heartbeat holds, idle timeout still fires.
        for (int i = 0; i < 9; i++) {
            after(Duration.ofSeconds(30));
            assertEquals("ping", Frames.type(connection.frames().get(connection.frames().size() - 1)));
            herald.gateway.onFrame(session, new ClientFrame.Pong());
        }
        assertNull(connection.closeCode());
        after(Duration.ofSeconds(30));
        assertEquals(CloseCode.IDLE_TIMEOUT, connection.closeCode());
    }

    @Test
    void clientActivityPostponesTheIdleTimeoutButClientPingsDoNot() {
        RecordingConnection connection = new RecordingConnection();
        ClientSession session = open(connection, "alice");

        after(Duration.ofMinutes(4));
        herald.gateway.onFrame(session, new ClientFrame.Subscribe(ChannelName.parse("user:alice"), Optional.empty(), null));
        after(Duration.ofMinutes(4));
        assertNull(connection.closeCode(), "the subscribe 4 minutes ago was activity");
        herald.gateway.onFrame(session, new ClientFrame.Ping());
        after(Duration.ofMinutes(1));
        assertEquals(CloseCode.IDLE_TIMEOUT, connection.closeCode(), "5 minutes after the subscribe; the ping did not count");
    }

    @Test
    void aTokenThatExpiresOnALiveConnectionCloses4010AfterTheClockSkew() {
        RecordingConnection connection = new RecordingConnection();
        ClientSession session = open(connection, "short");

        // Keep the heartbeat and idle timeout out of the way: the client answers every ping.
        for (int i = 0; i < 69; i++) {
            after(Duration.ofSeconds(1));
            herald.gateway.onFrame(session, new ClientFrame.Subscribe(ChannelName.parse("user:alice"), Optional.empty(), null));
        }
        assertNull(connection.closeCode(), "expired 40 s in, tolerated for the 30 s clock skew");
        after(Duration.ofSeconds(1));
        assertEquals(CloseCode.TOKEN_EXPIRED, connection.closeCode());
        assertEquals("token expired; send a fresh token in an auth frame before exp", connection.closeReason(),
                "the reason tells the client what to do");
    }

    @Test
    void aConnectionClosedWithoutACloseCallbackIsReleased() {
        RecordingConnection connection = new RecordingConnection();
        ClientSession session = open(connection, "alice");
        herald.gateway.onFrame(session, new ClientFrame.Subscribe(ChannelName.parse("user:alice"), Optional.empty(), null));

        connection.close(CloseCode.NORMAL, "socket vanished");  // the container never calls back
        after(Duration.ofMillis(100));

        assertEquals(0, herald.registry.size());
        assertTrue(session.isReleased());
        // Kept with their positions for a late ack, but out of delivery.
        assertTrue(session.subscriptions().values().stream().allMatch(Subscription::isCancelled));
    }

    @Test
    void theSweepPeriodIsAQuarterOfTheShortestDeadlineWithinBounds() {
        assertEquals(Duration.ofSeconds(1), herald.monitor.period());
        ApplicationHarness quick = new ApplicationHarness(new InMemoryBroker(), clock, Map.of(
                "herald.auth-timeout", "1s", "herald.heartbeat.interval", "1s", "herald.heartbeat.timeout", "400ms"));
        try {
            assertEquals(Duration.ofMillis(100), quick.monitor.period());
        } finally {
            quick.close();
        }
    }

}
