package dev.herald.infrastructure.broker.redis;

import dev.herald.testing.LocalRedisCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.UnifiedJedis;

import java.io.IOException;

/** The command stream contract on a real local 3-master Redis Cluster (redis-server 7), one per class. */
class RedisClusterCommandStreamIT extends RedisCommandStreamContract {

    private static LocalRedisCluster cluster;

    @BeforeAll
    static void startCluster() throws IOException, InterruptedException {
        cluster = LocalRedisCluster.start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected String url() {
        return cluster.url();
    }

    @Override
    protected boolean cluster() {
        return true;
    }

    @Override
    protected UnifiedJedis redis() {
        return cluster.client();
    }
}
