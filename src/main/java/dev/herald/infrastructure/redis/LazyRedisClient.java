package dev.herald.infrastructure.redis;

import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.UnifiedJedis;

import java.time.Duration;

/**
 * A pooled Redis client ({@link RedisEndpoint#client}) built at its first use, not at start-up: a
 * cluster client reads the slot map as it is built, which fails while Redis is down, and Herald
 * must start all the same. A failed build is tried again at the next use.
 */
public final class LazyRedisClient implements AutoCloseable {

    private final RedisEndpoint endpoint;
    private final boolean cluster;
    private final int poolSize;
    private final Duration timeout;
    private final String clientName;
    private volatile UnifiedJedis client;
    private boolean closed;

    public LazyRedisClient(RedisEndpoint endpoint, boolean cluster, int poolSize, Duration timeout, String clientName) {
        this.endpoint = endpoint;
        this.cluster = cluster;
        this.poolSize = poolSize;
        this.timeout = timeout;
        this.clientName = clientName;
    }

    /**
     * @throws IllegalStateException when closed
     * @throws RuntimeException      when a cluster client cannot read the slot map
     */
    public UnifiedJedis get() {
        UnifiedJedis built = client;
        return built != null ? built : build();
    }

    private synchronized UnifiedJedis build() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (client == null) {
            client = endpoint.client(cluster, poolSize, timeout, clientName);
        }
        return client;
    }

    /**
     * Drops idle connections after a failure, so the next command connects afresh rather than on a
     * socket to a Redis that went away. A cluster client does this itself for the node that failed.
     */
    public void clearIdle() {
        if (client instanceof JedisPooled pooled) {
            pooled.getPool().clear();
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (client != null) {
            client.close();
        }
    }
}
