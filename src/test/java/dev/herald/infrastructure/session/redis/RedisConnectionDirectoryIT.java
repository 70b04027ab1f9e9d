package dev.herald.infrastructure.session.redis;

import dev.herald.application.session.ConnectionDirectory;
import dev.herald.application.session.ConnectionEntry;
import dev.herald.application.session.InstanceId;
import dev.herald.application.session.SharedConnectionDirectoryContract;
import dev.herald.infrastructure.broker.redis.RedisBroker;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Redis connection directory against a real redis-server, each "instance" with its own Redis
 * broker for the control channel, wired as Backends wires them: the directory contract across
 * instances, then what only Redis has: the documented layout, an outage and a restart.
 */
class RedisConnectionDirectoryIT extends RedisDirectoryFixture {

    private static LocalRedis redis;

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

    @Override
    protected String url() {
        return redis.url();
    }

    @Override
    protected boolean cluster() {
        return false;
    }

    @Override
    protected RedisBroker startBroker() {
        RedisBroker broker = new RedisBroker(redis.url(), executor, scheduler);
        broker.start();
        return broker;
    }

    @Test
    void keepsTheDocumentedKeyAndMembers() throws Exception {
        // given
        InstanceId id = InstanceId.random();
        RedisConnectionDirectory directory = directory(id, 5, true);
        String user = "auth0|" + newUser(); // a subject may hold '|'

        // when
        directory.register(user, "conn-1", T0);

        // then
        try (Jedis jedis = redis.client()) {
            String key = "herald:user:" + user + ":conns";
            List<Tuple> members = jedis.zrangeWithScores(key, 0, -1);
            assertEquals(1, members.size());
            assertEquals(T0.toEpochMilli() + "|" + id.value() + "|conn-1", members.get(0).getElement());
            double expiresIn = members.get(0).getScore() - Double.parseDouble(jedis.time().get(0)) * 1000;
            assertTrue(expiresIn > 0 && expiresIn <= TTL.toMillis() + 1000, "scored by its expiry: " + expiresIn);
            long keyTtl = jedis.pttl(key);
            assertTrue(keyTtl > 0 && keyTtl <= TTL.toMillis(), "the key expires too: " + keyTtl);
        }
        directory.close();
        try (Jedis jedis = redis.client()) {
            assertEquals(0, jedis.zcard("herald:user:" + user + ":conns"), "a closed directory removes its entries");
        }
    }

    @Test
    void whileRedisIsDownTheLimitHoldsForThisInstancesConnectionsWithoutTryingRedisEachTime() throws Exception {
        // given: the pause after a failure lasts until the test ends it
        RedisCommands commands = PausableRedisCommands.create(redis.url(), false, new ManualTicker());
        Instance a = instance(directory(InstanceId.random(), 2, true, commands));
        String user = newUser();
        a.register(user, "c1", 1);
        a.register(user, "c2", 2);

        // when
        redis.stop();
        List<String> evicted = a.register(user, "c3", 3);
        boolean pausedAfterTheFirstFailure = PausableRedisCommands.paused(commands);
        List<String> evictedAgain = a.register(user, "c4", 4);

        // then: the first registration failed and paused the shared state, so the second did not try
        // Redis (RedisCommandsTest counts the connections a pause saves)
        assertEquals(List.of("c1"), evicted);
        assertEquals(List.of("c2"), evictedAgain);
        assertEquals(List.of("c1", "c2"), a.evicted());
        assertTrue(pausedAfterTheFirstFailure, "shared state paused after the first failure");
        assertEquals(List.of("c3", "c4"), a.connections(user), "this instance's, while Redis is down");
    }

    @Test
    void aRestartedRedisGetsEveryLiveConnectionBackAtTheNextRenewal() throws Exception {
        // given: one connection on each instance, then Redis restarts empty
        Instance a = instance(2);
        Instance b = instance(2);
        String user = newUser();
        a.register(user, "a1", 1);
        b.register(user, "b1", 2);
        redis.stop();
        redis.ensureRunning();
        try (Jedis jedis = redis.client()) {
            assertEquals(List.of(), jedis.zrange(RedisConnectionDirectory.key(user), 0, -1));
        }

        // when: both renew (after the pause that follows a failure, if they noticed the outage)
        awaitTrue(() -> {
            a.directory().refresh();
            b.directory().refresh();
            return a.connections(user).size() == 2;
        }, DEADLINE, "both connections are back");

        // then: the limit holds across instances again
        List<ConnectionEntry> evicted = b.directory().register(user, "b2", T0.plusSeconds(3));
        assertEquals(List.of("a1"), ids(evicted));
        awaitTrue(() -> a.evicted().equals(List.of("a1")), DEADLINE, "a is told");
    }
}
