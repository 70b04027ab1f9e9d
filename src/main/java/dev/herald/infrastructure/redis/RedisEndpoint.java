package dev.herald.infrastructure.redis;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.Connection;
import redis.clients.jedis.util.JedisURIHelper;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Set;

/**
 * A parsed {@code herald.redis.url}: where Redis is and how to log in. Its text names the server,
 * never the credentials. Every Redis client of Herald (broker, streams, shared state) connects through it.
 */
public final class RedisEndpoint {

    private static final int DEFAULT_PORT = 6379;

    private final URI uri;
    private final HostAndPort address;

    private RedisEndpoint(URI uri) {
        this.uri = uri;
        this.address = new HostAndPort(uri.getHost(), uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort());
    }

    /**
     * @param url {@code redis://[[user]:password@]host[:port][/database]}, or {@code rediss://} for TLS
     * @throws IllegalArgumentException when it is not such a URL
     */
    public static RedisEndpoint parse(String url) {
        URI uri;
        try {
            uri = new URI(url == null ? "" : url.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("herald.redis.url is not a URL: expected redis://host:port");
        }
        if (!JedisURIHelper.isRedisScheme(uri) && !JedisURIHelper.isRedisSSLScheme(uri)) {
            throw new IllegalArgumentException("herald.redis.url must start with redis:// or rediss://");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("herald.redis.url names no host: expected redis://host:port");
        }
        try {
            JedisURIHelper.getDBIndex(uri);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("herald.redis.url: the path must be a database number, e.g. redis://host:6379/0");
        }
        return new RedisEndpoint(uri);
    }

    public HostAndPort address() {
        return address;
    }

    /** Credentials, database and TLS from the URL; {@code timeout} for connecting and for each reply. */
    public DefaultJedisClientConfig.Builder clientConfig(Duration timeout, String clientName) {
        int millis = (int) timeout.toMillis();
        return DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis)
                .socketTimeoutMillis(millis)
                .user(JedisURIHelper.getUser(uri))
                .password(JedisURIHelper.getPassword(uri))
                .database(JedisURIHelper.getDBIndex(uri))
                .ssl(JedisURIHelper.isRedisSSLScheme(uri))
                // Shows in CLIENT LIST which connection is which.
                .clientName(clientName);
    }

    /** A small pool whose borrowers wait at most {@code timeout} for a connection, and Redis as long for each reply. */
    public JedisPool pool(int size, Duration timeout, String clientName) {
        return new JedisPool(RedisEndpoint.<Jedis>poolConfig(size, timeout), address, clientConfig(timeout, clientName).build());
    }

    private static <T> GenericObjectPoolConfig<T> poolConfig(int size, Duration timeout) {
        GenericObjectPoolConfig<T> config = new GenericObjectPoolConfig<>();
        config.setMaxTotal(size);
        config.setMaxIdle(size);
        config.setMaxWait(timeout);
        // No evictor thread and no MBean: unmanaged threads and JMX names outlive a redeploy.
        config.setTimeBetweenEvictionRuns(Duration.ofMillis(-1));
        config.setJmxEnabled(false);
        return config;
    }

    /**
     * A pooled client for short commands: on one node, or on a Redis Cluster (the URL names one seed
     * node, from which the client learns the others), where every command goes to the master owning its key
     * and a MOVED reply is followed once. A cluster client reads the slot map as it is built, so
     * building one fails while no node answers; build it again later.
     *
     * @throws IllegalArgumentException when a cluster URL names a database other than 0
     * @throws RuntimeException         when no node of the cluster answers
     */
    public UnifiedJedis client(boolean cluster, int poolSize, Duration timeout, String clientName) {
        GenericObjectPoolConfig<Connection> config = poolConfig(poolSize, timeout);
        DefaultJedisClientConfig client = clientConfig(timeout, clientName).build();
        if (!cluster) {
            return new JedisPooled(config, address, client);
        }
        if (client.getDatabase() != 0) {
            throw new IllegalArgumentException("herald.redis.url: Redis Cluster has only database 0");
        }
        // Two attempts within two timeouts: the second follows a MOVED or reaches a promoted replica.
        return new JedisCluster(Set.of(address), client, 2, timeout.multipliedBy(2), config);
    }

    @Override
    public String toString() {
        return (JedisURIHelper.isRedisSSLScheme(uri) ? "rediss://" : "redis://") + address;
    }
}
