package dev.herald.infrastructure.broker.redis;

import dev.herald.application.broker.RecordingListener;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventType;
import dev.herald.domain.Sequence;
import dev.herald.testing.SilentRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Redis broker without a Redis: settings, backoff, and behaviour while Redis cannot be reached. */
class RedisBrokerTest {

    /** Far above every timeout of the broker: only a hang fails it. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(30);

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
    void withoutAnAnsweringRedisItStaysDisconnectedAndNeitherPublishNorSubscribeTriesRedis() throws Exception {
        // given: a Redis that accepts connections and never answers
        try (SilentRedis redis = new SilentRedis()) {
            RedisBroker broker = new RedisBroker(redis.url(), executor, scheduler);
            RecordingListener listener = new RecordingListener();
            broker.listen(listener);
            broker.start();
            ChannelName channel = ChannelName.of("test", "nowhere");
            Event event = new Event(channel, Sequence.of(1), new EventType("t"), Instant.now(), "{}", null);

            // when
            broker.subscribe(channel);
            for (int i = 0; i < 100; i++) {
                broker.publish(event);
            }

            // then: no publish borrowed a connection, and the subscribe sent nothing it could wait for
            assertEquals(List.of(), redis.connectionsNamed("herald-publisher"), "publish connections opened");
            for (SilentRedis.Connection c : redis.connectionsSoFar()) {
                assertFalse(c.received().contains(RedisBroker.redisChannel(channel)), "sent: " + c.received());
            }
            assertFalse(broker.isConnected());
            assertEquals(0, listener.resubscribed());

            // and when closed, the subscription loop has ended
            assertTimeoutPreemptively(HANG_GUARD, broker::close);
            assertTrue(broker.subscriptionLoopEnded(), "the loop ended before close returned");
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
