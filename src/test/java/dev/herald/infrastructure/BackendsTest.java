package dev.herald.infrastructure;

import dev.herald.application.CommandSink;
import dev.herald.application.broker.Broker;
import dev.herald.application.config.HeraldConfig;
import dev.herald.application.config.Settings;
import dev.herald.application.session.InstanceId;
import dev.herald.infrastructure.broker.memory.InMemoryBroker;
import dev.herald.infrastructure.broker.redis.RedisBroker;
import dev.herald.infrastructure.broker.redis.RedisClusterBroker;
import dev.herald.infrastructure.broker.redis.RedisCommandStream;
import dev.herald.infrastructure.presence.memory.InMemoryPresence;
import dev.herald.infrastructure.presence.redis.RedisPresence;
import dev.herald.infrastructure.session.memory.InMemoryConnectionDirectory;
import dev.herald.infrastructure.session.redis.RedisConnectionDirectory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Which broker, connection directory and presence the settings choose. */
class BackendsTest {

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

    private static HeraldConfig.Broker settings(String redisUrl, boolean cluster) {
        return new HeraldConfig.Broker(Optional.ofNullable(redisUrl), cluster, Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofMillis(50));
    }

    @Test
    void withoutARedisUrlTheBrokerIsInMemory() {
        Broker broker = Backends.newBroker(settings(null, false), executor, scheduler);

        assertInstanceOf(InMemoryBroker.class, broker);
    }

    @Test
    void aRedisUrlChoosesTheRedisBrokerAndItsDescriptionHidesThePassword() throws Exception {
        Broker broker = Backends.newBroker(settings("redis://:pa55word@127.0.0.1:6390", false), executor, scheduler);
        try {
            assertInstanceOf(RedisBroker.class, broker);
            assertEquals("Redis pub/sub at redis://127.0.0.1:6390", broker.toString());
            assertFalse(broker.isConnected(), "not started yet");
        } finally {
            ((AutoCloseable) broker).close();
        }
    }

    private static HeraldConfig config(Map<String, String> values) {
        return HeraldConfig.from(new Settings(key -> Optional.ofNullable(values.get(key))));
    }

    @Test
    void withoutARedisUrlConnectionsAndPresenceAreThisInstancesOwn() throws Exception {
        // given
        HeraldConfig config = config(Map.of("herald.limits.connections-per-user", "3"));

        // when
        try (Backends.Shared shared = Backends.newShared(config, InstanceId.random(), new InMemoryBroker(), executor)) {

            // then
            assertInstanceOf(InMemoryConnectionDirectory.class, shared.directory());
            assertInstanceOf(InMemoryPresence.class, shared.presence());
            assertEquals("connections of this instance only, at most 3 per user", shared.directory().toString());
        }
    }

    @Test
    void aRedisUrlKeepsConnectionsAndPresenceInTheSameRedis() throws Exception {
        // given
        HeraldConfig config = config(Map.of("herald.redis.url", "redis://:pa55word@127.0.0.1:6390"));
        Broker broker = Backends.newBroker(config.broker(), executor, scheduler);

        // when
        try (Backends.Shared shared = Backends.newShared(config, InstanceId.random(), broker, executor)) {

            // then
            assertInstanceOf(RedisConnectionDirectory.class, shared.directory());
            assertInstanceOf(RedisPresence.class, shared.presence());
            assertEquals("connections in Redis at redis://127.0.0.1:6390, at most 5 per user", shared.directory().toString());
            assertEquals("presence in Redis at redis://127.0.0.1:6390", shared.presence().toString());
        } finally {
            ((AutoCloseable) broker).close();
        }
    }

    @Test
    void redisClusterChoosesTheShardedBrokerAndItsDescriptionHidesThePassword() throws Exception {
        Broker broker = Backends.newBroker(settings("redis://:pa55word@127.0.0.1:6390", true), executor, scheduler);
        try {
            assertInstanceOf(RedisClusterBroker.class, broker);
            assertEquals("Redis sharded pub/sub at redis://127.0.0.1:6390 (cluster)", broker.toString());
            assertFalse(broker.isConnected(), "not started yet");
        } finally {
            ((AutoCloseable) broker).close();
        }
    }

    @Test
    void redisClusterWithoutAUrlRefusesToStart() {
        assertThrows(IllegalArgumentException.class, () -> Backends.newBroker(settings(null, true), executor, scheduler));
    }

    @Test
    void redisClusterKeepsConnectionsAndPresenceInTheClusterAndStartsWhileItIsUnreachable() throws Exception {
        // given: no Redis listens on this port
        HeraldConfig config = config(Map.of("herald.redis.url", "redis://:pa55word@127.0.0.1:6390", "herald.redis.cluster", "true"));
        Broker broker = Backends.newBroker(config.broker(), executor, scheduler);

        // when
        try (Backends.Shared shared = Backends.newShared(config, InstanceId.random(), broker, executor)) {

            // then
            assertInstanceOf(RedisConnectionDirectory.class, shared.directory());
            assertInstanceOf(RedisPresence.class, shared.presence());
            assertEquals("connections in Redis at redis://127.0.0.1:6390 (cluster), at most 5 per user", shared.directory().toString());
            assertEquals("presence in Redis at redis://127.0.0.1:6390 (cluster)", shared.presence().toString());
        } finally {
            ((AutoCloseable) broker).close();
        }
    }

    @Test
    void redisClusterRefusesADatabaseOtherThanZero() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Backends.newBroker(settings("redis://127.0.0.1:6390/2", true), executor, scheduler));
        assertEquals("herald.redis.url: Redis Cluster has only database 0", e.getMessage());
    }

    @Test
    void aMalformedRedisUrlRefusesToStart() {
        assertThrows(IllegalArgumentException.class,
                () -> Backends.newBroker(settings("localhost:6379", false), executor, scheduler));
    }

    @Test
    void withoutARedisUrlCommandsGoNowhereElse() {
        CommandSink sink = Backends.newCommandSink(config(Map.of()), Clock.systemUTC());

        assertSame(CommandSink.NONE, sink);
    }

    @Test
    void aRedisUrlSendsCommandsToTheConfiguredStream() throws Exception {
        CommandSink sink = Backends.newCommandSink(config(Map.of("herald.redis.url", "redis://:pa55word@127.0.0.1:6390",
                "herald.commands.stream", "app:commands")), Clock.systemUTC());
        try {
            assertInstanceOf(RedisCommandStream.class, sink);
            assertEquals("Redis stream app:commands at redis://127.0.0.1:6390", sink.toString());
        } finally {
            ((AutoCloseable) sink).close();
        }
    }
}
