package dev.herald.infrastructure.broker.redis;

import dev.herald.application.broker.RecordingListener;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventType;
import dev.herald.domain.Sequence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Redis broker without a Redis: settings, backoff, and behaviour while Redis cannot be reached. */
class RedisBrokerTest {

    private static ExecutorService executor;
    private static ScheduledExecutorService scheduler;

    @BeforeAll
    static void startExecutors() {
        executor = Executors.newCachedThreadPool();
        scheduler = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void stopExecutors() {
        executor.shutdownNow();
        scheduler.shutdownNow();
    }

    /** A loopback port where nothing listens: connecting is refused at once. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost:6379", "http://localhost:6379", "redis://", "redis:///0", "redis://host:6379/db", "redis://bad host"})
    void refusesAUrlThatIsNotARedisUrl(String url) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RedisBroker(url, executor, scheduler));
        assertTrue(e.getMessage().contains("herald.redis.url"), e.getMessage());
    }

    @Test
    void refusesAUrlWithoutRevealingItsPassword() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RedisBroker("http://user:pa55word@host:6379", executor, scheduler));
        assertFalse(e.getMessage().contains("pa55word"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis://localhost", "redis://127.0.0.1:6380", "redis://:secret@127.0.0.1:6379/2", "rediss://user:secret@redis.example:6380"})
    void acceptsRedisUrls(String url) {
        RedisBroker broker = assertDoesNotThrow(() -> new RedisBroker(url, executor, scheduler));
        broker.close();
    }

    @Test
    void backoffStaysBelowADoublingBoundCappedAtFiveSeconds() {
        for (int failures = 0; failures < 40; failures++) {
            long bound = Math.min(100L << Math.min(failures, 20), 5_000);
            for (int i = 0; i < 200; i++) {
                long delay = RedisBroker.backoff(failures);
                assertTrue(delay >= 0 && delay <= bound, "delay " + delay + " after " + failures + " failures");
            }
        }
    }

    @Test
    void withoutRedisItStaysDisconnectedAndNeitherPublishNorSubscribeWaits() throws Exception {
        // given
        RedisBroker broker = new RedisBroker("redis://127.0.0.1:" + closedPort(), executor, scheduler);
        RecordingListener listener = new RecordingListener();
        broker.listen(listener);
        broker.start();
        ChannelName channel = ChannelName.of("test", "nowhere");
        Event event = new Event(channel, Sequence.of(1), new EventType("t"), Instant.now(), "{}", null);

        try {
            // when
            long started = System.nanoTime();
            broker.subscribe(channel);
            for (int i = 0; i < 100; i++) {
                broker.publish(event);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            // then
            assertTrue(took.compareTo(Duration.ofSeconds(1)) < 0, "a subscribe and 100 publishes took " + took);
            assertFalse(broker.isConnected());
            assertEquals(0, listener.resubscribed());
        } finally {
            long closing = System.nanoTime();
            broker.close();
            assertTrue(System.nanoTime() - closing < Duration.ofSeconds(3).toNanos(), "close is bounded");
        }
    }

    @Test
    void aSilenceLimitMustCoverTwoPings() {
        assertThrows(IllegalArgumentException.class,
                () -> new RedisBroker.Liveness(Duration.ofSeconds(2), Duration.ofSeconds(3)));
        assertDoesNotThrow(() -> new RedisBroker.Liveness(Duration.ofSeconds(2), Duration.ofSeconds(4)));
    }

    @Test
    void startsOnlyOnce() {
        RedisBroker broker = new RedisBroker("redis://127.0.0.1:1", executor, scheduler);
        try {
            broker.start();
            assertThrows(IllegalStateException.class, broker::start);
        } finally {
            broker.close();
        }
    }
}
