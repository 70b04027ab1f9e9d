package dev.herald.infrastructure.broker.redis;

import dev.herald.testing.LocalRedisCluster;
import dev.herald.testing.PerClass;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.UnifiedJedis;

/** The command stream contract on a real local 3-master Redis Cluster (redis-server 7), one per class. */
class RedisClusterCommandStreamIT extends RedisCommandStreamContract {

    @RegisterExtension
    static final PerClass<LocalRedisCluster> REDIS = new PerClass<>(LocalRedisCluster::start);

    @Override
    protected String url() {
        return REDIS.get().url();
    }

    @Override
    protected boolean cluster() {
        return true;
    }

    @Override
    protected UnifiedJedis redis() {
        return REDIS.get().client();
    }
}
