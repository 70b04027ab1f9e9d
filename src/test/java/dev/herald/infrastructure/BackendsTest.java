package dev.herald.infrastructure;

import dev.herald.application.broker.Broker;
import dev.herald.application.config.HeraldConfig;
import dev.herald.infrastructure.broker.memory.InMemoryBroker;
import dev.herald.infrastructure.broker.redis.RedisBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Which broker the settings choose. */
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
        return new HeraldConfig.Broker(Optional.ofNullable(redisUrl), cluster, Duration.ofSeconds(2), Duration.ofMillis(500));
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

    @Test
    void redisClusterRefusesToStart() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Backends.newBroker(settings("redis://127.0.0.1:6379", true), executor, scheduler));

        assertEquals("herald.redis.cluster is not supported yet", e.getMessage());
    }

    @Test
    void aMalformedRedisUrlRefusesToStart() {
        assertThrows(IllegalArgumentException.class,
                () -> Backends.newBroker(settings("localhost:6379", false), executor, scheduler));
    }
}
