package dev.herald.infrastructure.broker.redis;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The cluster broker's parts that need no server: the slot map and its settings. */
class RedisClusterBrokerTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theSlotMapNamesTheMasterOfEverySlotItCovers() {
        List<Object> slots = List.of(
                List.of(0L, 5460L, List.of(bytes("10.0.0.1"), 7000L, bytes("a")), List.of(bytes("10.0.0.9"), 7009L, bytes("r"))),
                List.of(5461L, 16383L, List.of(bytes(""), 7001L, bytes("b"))));

        HostAndPort[] owners = ClusterSlotMap.parse(slots, new HostAndPort("seed", 7001));

        assertEquals(new HostAndPort("10.0.0.1", 7000), owners[0]);
        assertEquals(new HostAndPort("10.0.0.1", 7000), owners[5460]);
        assertEquals(new HostAndPort("seed", 7001), owners[5461], "an unknown endpoint is the asked node");
        assertEquals(new HostAndPort("seed", 7001), owners[16383]);
    }

    @Test
    void aSlotNoMasterCoversHasNoOwner() {
        HostAndPort[] owners = ClusterSlotMap.parse(
                List.of(List.of(0L, 100L, List.of(bytes("h"), 1L, bytes("a")))), new HostAndPort("seed", 1));

        assertNull(owners[101]);
    }

    @Test
    void aClusterHasOnlyDatabaseZero() {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            assertThrows(IllegalArgumentException.class,
                    () -> new RedisClusterBroker("redis://127.0.0.1:7000/2", Runnable::run, scheduler));
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void anUnstartedBrokerIsDisconnectedAndClosesAtOnce() {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            RedisClusterBroker broker = new RedisClusterBroker("redis://127.0.0.1:7000", Runnable::run, scheduler);
            assertFalse(broker.isConnected());
            broker.close();
        } finally {
            scheduler.shutdownNow();
        }
    }
}
