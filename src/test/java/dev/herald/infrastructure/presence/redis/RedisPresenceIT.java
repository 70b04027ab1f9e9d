package dev.herald.infrastructure.presence.redis;

import dev.herald.application.presence.Presence;
import dev.herald.application.presence.PresenceUnavailableException;
import dev.herald.application.presence.SharedPresenceContract;
import dev.herald.application.session.InstanceId;
import dev.herald.domain.ChannelName;
import dev.herald.infrastructure.redis.PausableRedisCommands;
import dev.herald.infrastructure.redis.RedisCommands;
import dev.herald.testing.LocalRedis;
import dev.herald.testing.ManualTicker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.resps.Tuple;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis presence against a real redis-server: the presence contract across instances, then what
 * only Redis has: the documented layout, an outage and a restart.
 */
class RedisPresenceIT extends SharedPresenceContract {

    private static final Duration TTL = Duration.ofSeconds(1);

    private static LocalRedis redis;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void startRedis() throws IOException {
        redis = LocalRedis.start();
    }

    @AfterAll
    static void stopRedis() throws IOException {
        redis.close();
    }

    @BeforeEach
    void redisRuns() throws IOException {
        redis.ensureRunning();
    }

    @AfterEach
    void closeResources() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    @Override
    protected Duration ttl() {
        return TTL;
    }

    @Override
    protected Presence newPresence() {
        return newPresence(InstanceId.random());
    }

    private RedisPresence newPresence(InstanceId id) {
        RedisCommands commands = new RedisCommands(redis.url(), false, "herald-state");
        resources.add(commands);
        return new RedisPresence(commands, id, TTL);
    }

    @Test
    void keepsTheDocumentedKeyAndMembers() throws Exception {
        // given
        InstanceId id = InstanceId.random();
        RedisPresence presence = newPresence(id);
        ChannelName channel = newChannel();

        // when
        presence.join(channel, "auth0|alice", "conn-1");

        // then
        try (Jedis jedis = redis.client()) {
            String key = "herald:presence:" + channel.value();
            List<Tuple> members = jedis.zrangeWithScores(key, 0, -1);
            assertEquals(1, members.size());
            assertEquals(id.value() + "|conn-1|auth0|alice", members.get(0).getElement());
            double expiresIn = members.get(0).getScore() - Double.parseDouble(jedis.time().get(0)) * 1000;
            assertTrue(expiresIn > 0 && expiresIn <= TTL.toMillis() + 1000, "scored by its expiry: " + expiresIn);
            long keyTtl = jedis.pttl(key);
            assertTrue(keyTtl > 0 && keyTtl <= TTL.toMillis(), "the key expires too: " + keyTtl);
        }
        presence.close();
        try (Jedis jedis = redis.client()) {
            assertEquals(0, jedis.zcard("herald:presence:" + channel.value()), "a closed instance removes its entries");
        }
    }

    @Test
    void whileRedisIsDownReadsAreRefusedAndJoinsWaitForTheNextRenewal() throws Exception {
        // given: the pause after a failure lasts until the test ends it
        ManualTicker ticker = new ManualTicker();
        RedisCommands commands = PausableRedisCommands.create(redis.url(), false, ticker);
        resources.add(commands);
        RedisPresence watched = new RedisPresence(commands, InstanceId.random(), TTL);
        ChannelName channel = newChannel();
        watched.join(channel, "alice", "a1");

        // when: Redis goes away, and comes back empty
        redis.stop();
        watched.join(channel, "bob", "b1");
        boolean pausedAfterTheFirstFailure = PausableRedisCommands.paused(commands);
        watched.leave(channel, "alice", "a1");
        assertThrows(PresenceUnavailableException.class, () -> watched.of(channel));
        redis.ensureRunning();

        // then: the first failure paused the shared state, so the leave and the read did not try Redis
        // (RedisCommandsTest counts the connections a pause saves), and a read stays refused in the pause
        assertTrue(pausedAfterTheFirstFailure, "shared state paused after the first failure");
        assertThrows(PresenceUnavailableException.class, () -> watched.of(channel), "refused until the pause ends");
        ticker.advance(PausableRedisCommands.pause());
        watched.refresh();
        assertEquals(users("bob", 1), watched.of(channel), "the next renewal writes what this instance holds");
    }
}
