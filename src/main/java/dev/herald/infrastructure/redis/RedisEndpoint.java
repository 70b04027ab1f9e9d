package dev.herald.infrastructure.redis;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.util.JedisURIHelper;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

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
        GenericObjectPoolConfig<Jedis> config = new GenericObjectPoolConfig<>();
        config.setMaxTotal(size);
        config.setMaxIdle(size);
        config.setMaxWait(timeout);
        // No evictor thread and no MBean: unmanaged threads and JMX names outlive a redeploy.
        config.setTimeBetweenEvictionRuns(Duration.ofMillis(-1));
        config.setJmxEnabled(false);
        return new JedisPool(config, address, clientConfig(timeout, clientName).build());
    }

    @Override
    public String toString() {
        return (JedisURIHelper.isRedisSSLScheme(uri) ? "rediss://" : "redis://") + address;
    }
}
