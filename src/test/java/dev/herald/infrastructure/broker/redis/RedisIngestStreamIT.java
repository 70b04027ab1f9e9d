package dev.herald.infrastructure.broker.redis;

import dev.herald.domain.Sequence;
import dev.herald.testing.LocalRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ingest stream on one real redis-server (6.2, from embedded-redis): the ingest contract, then
 * what a test can do to a single server: stop it and start it again.
 */
class RedisIngestStreamIT extends RedisIngestStreamContract {

    private static LocalRedis redis;

    @BeforeAll
    static void startRedis() throws IOException {
        redis = LocalRedis.start();
    }

    @AfterAll
    static void stopRedis() throws IOException {
        redis.close();
    }

    @AfterEach
    void redisRuns() throws IOException {
        redis.ensureRunning();
    }

    @Override
    protected String url() {
        return redis.url();
    }

    @Override
    protected boolean cluster() {
        return false;
    }

    @Override
    protected UnifiedJedis redis() {
        return new JedisPooled(redis.url());
    }

    @Test
    void aRedisRestartIsSurvivedAndConsumingResumesByItself() throws Exception {
        // given
        RedisIngestStream a = instance("instance-a", jpa);
        await(a::isConnected, "connected");

        // when: Redis restarts empty (it keeps nothing on disk here), stream and group gone
        redis.stop();
        await(() -> !a.isConnected(), "the outage noticed");
        redis.ensureRunning();
        await(a::isConnected, "reconnected");
        StreamEntryID last;
        try (UnifiedJedis jedis = redis()) {
            last = add(jedis, entry(prefix + "-after", channel(5), "{\"after\":true}"));
        }

        // then: the group was created again and the entry published
        awaitAllAcknowledged(last);
        assertEquals(List.of("{\"after\":true}"), data(jpa.read(channel(5), Sequence.ZERO, 10)));
    }

    @Test
    void closeIsBoundedWhileRedisIsUnreachable() throws Exception {
        // given
        RedisIngestStream a = instance("instance-a", jpa);
        await(a::isConnected, "connected");
        redis.stop();
        await(() -> !a.isConnected(), "the outage noticed");

        // when
        long started = System.nanoTime();
        a.close();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        // then
        assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "close took " + took);
    }

}
