package dev.herald.infrastructure.broker.redis;

import dev.herald.domain.Sequence;
import dev.herald.testing.LocalRedis;
import dev.herald.testing.PerClass;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ingest stream on one real redis-server (6.2, from embedded-redis): the ingest contract, then
 * what a test can do to a single server: stop it and start it again.
 */
class RedisIngestStreamIT extends RedisIngestStreamContract {

    @RegisterExtension
    static final PerClass<LocalRedis> REDIS = new PerClass<>(LocalRedis::start);

    @AfterEach
    void redisRuns() throws IOException {
        REDIS.get().ensureRunning();
    }

    @Override
    protected String url() {
        return REDIS.get().url();
    }

    @Override
    protected boolean cluster() {
        return false;
    }

    @Override
    protected UnifiedJedis redis() {
        return new JedisPooled(REDIS.get().url());
    }

    @Test
    void aRedisRestartIsSurvivedAndConsumingResumesByItself() throws Exception {
        // given
        RedisIngestStream a = instance("instance-a", jpa);
        await(a::isConnected, "connected");

        // when: Redis restarts empty (it keeps nothing on disk here), stream and group gone
        REDIS.get().stop();
        await(() -> !a.isConnected(), "the outage noticed");
        REDIS.get().ensureRunning();
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
    void closeEndsTheLoopWhileRedisIsUnreachable() throws Exception {
        // given
        RedisIngestStream a = instance("instance-a", jpa);
        await(a::isConnected, "connected");
        REDIS.get().stop();
        await(() -> !a.isConnected(), "the outage noticed");

        // when
        assertTimeoutPreemptively(HANG_GUARD, a::close);

        // then
        assertTrue(a.loopEnded(), "the loop ended before close returned");
    }

}
