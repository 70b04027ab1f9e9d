package dev.herald.application.session;

import dev.herald.infrastructure.broker.memory.InMemoryBroker;
import dev.herald.testing.ApplicationHarness;
import dev.herald.testing.MutableClock;
import dev.herald.testing.RecordingConnection;
import dev.herald.testing.TestTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The graceful drain over the in-memory application: who is closed, with what, and when in the window. */
class DrainTest {

    private static final Instant LATER = Instant.now().plusSeconds(3600);

    private final ApplicationHarness herald = new ApplicationHarness(new InMemoryBroker(),
            new MutableClock(Instant.parse("2025-06-01T09:00:00Z")), Map.of());
    private final Drain drain = new Drain(herald.registry);

    @AfterEach
    void stop() {
        herald.close();
    }

    private List<RecordingConnection> connect(int count) {
        List<RecordingConnection> connections = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            herald.tokens.register("user" + i, TestTokens.user("user" + i, List.of("diagnosis:*"), List.of(), LATER));
            RecordingConnection connection = new RecordingConnection();
            herald.gateway.open(connection, Optional.of("user" + i), Optional.empty(), Optional.empty());
            connections.add(connection);
        }
        return connections;
    }

    @Test
    void drainTellsEveryConnectionToReconnectWithServiceRestart() throws Exception {
        // given
        List<RecordingConnection> connections = connect(20);
        assertFalse(drain.draining());

        // when
        boolean allClosed = drain.drain(Duration.ofMillis(200), Duration.ofSeconds(5));

        // then
        assertTrue(allClosed);
        assertTrue(drain.draining(), "the instance keeps refusing new connections after the drain");
        for (RecordingConnection connection : connections) {
            assertEquals(CloseCode.SERVICE_RESTART, connection.closeCode());
            assertEquals("server shutting down; reconnect and resume", connection.closeReason());
        }
    }

    @Test
    void aZeroWindowClosesEveryoneAtOnce() throws Exception {
        List<RecordingConnection> connections = connect(5);

        assertTrue(drain.drain(Duration.ZERO, Duration.ofSeconds(5)));

        connections.forEach(c -> assertEquals(CloseCode.SERVICE_RESTART, c.closeCode()));
    }

    @Test
    void theSecondCallerWaitsForTheFirstDrainInsteadOfStartingAnother() throws Exception {
        // given: the JVM hook drains while the undeploy asks too
        List<RecordingConnection> connections = connect(10);
        CompletableFuture<Boolean> first = CompletableFuture.supplyAsync(() -> {
            try {
                return drain.drain(Duration.ofMillis(300), Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        while (!drain.draining()) {
            Thread.onSpinWait();
        }

        // when
        boolean second = drain.drain(Duration.ofMillis(300), Duration.ofSeconds(5));

        // then: when the second returns, the first has closed everyone
        assertTrue(second);
        connections.forEach(c -> assertEquals(CloseCode.SERVICE_RESTART, c.closeCode()));
        assertTrue(first.get(10, TimeUnit.SECONDS));
    }

    @Test
    void thePlanGivesEachConnectionItsOwnMomentSpreadOverTheWindow() {
        // given
        connect(200);
        Duration window = Duration.ofSeconds(10);

        // when
        List<Drain.Planned> plan = Drain.plan(herald.registry.all(), window, new Random(42));

        // then: all in [0, window), earliest first, and spread over the window rather than bunched
        assertEquals(200, plan.size());
        assertEquals(200, plan.stream().map(Drain.Planned::session).distinct().count());
        for (int i = 0; i < plan.size(); i++) {
            Duration at = plan.get(i).at();
            assertFalse(at.isNegative());
            assertTrue(at.compareTo(window) < 0, at.toString());
            if (i > 0) {
                assertTrue(plan.get(i - 1).at().compareTo(at) <= 0, "earliest first");
            }
        }
        long[] perSecond = new long[10];
        plan.forEach(p -> perSecond[(int) p.at().toSeconds()]++);
        for (long inSecond : perSecond) {
            assertTrue(inSecond > 0, "every second of the window gets some closes");
            assertTrue(inSecond < 60, "no second gets a bunch: 20 expected");
        }
    }
}
