package dev.herald.infrastructure.redis;

import dev.herald.infrastructure.broker.redis.LogThrottle;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Short commands on the state Herald instances share in Redis (connections per user, presence),
 * from a small pool with tight timeouts, because callers include WebSocket threads. On a Redis
 * Cluster each command goes to the master owning its key (see {@link RedisScript} for scripts and
 * pipelines). After a failure every call is refused at once for a moment instead of each waiting
 * for a timeout; callers then fall back to what this instance knows. Failures are logged at most
 * once per interval.
 */
public final class RedisCommands implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RedisCommands.class.getName());

    private static final int POOL_SIZE = 8;
    /** Connect, reply and pool wait limit: a Redis that answers in more than this counts as down. */
    static final Duration TIMEOUT = Duration.ofMillis(500);
    /** After a failure, calls are refused this long without trying. */
    static final Duration PAUSE = Duration.ofSeconds(1);
    private static final Duration LOG_INTERVAL = Duration.ofSeconds(30);

    private final LazyRedisClient client;
    private final String description;
    private final LogThrottle failureLog = new LogThrottle(LOG_INTERVAL);
    /** {@code System.nanoTime}, or a ticker a test moves by hand. */
    private final LongSupplier ticker;
    private volatile long pausedUntil;
    private volatile boolean closed;

    /**
     * @param url        {@code redis://[[user]:password@]host[:port][/database]} or {@code rediss://},
     *                   already checked by the broker; on a cluster, any one node
     * @param cluster    whether the URL names a node of a Redis Cluster
     * @param clientName shows in Redis's CLIENT LIST
     */
    public RedisCommands(String url, boolean cluster, String clientName) {
        this(url, cluster, clientName, TIMEOUT, System::nanoTime);
    }

    RedisCommands(String url, boolean cluster, String clientName, Duration timeout, LongSupplier ticker) {
        RedisEndpoint endpoint = RedisEndpoint.parse(url);
        this.ticker = ticker;
        this.pausedUntil = ticker.getAsLong();
        this.client = new LazyRedisClient(endpoint, cluster, POOL_SIZE, timeout, clientName);
        this.description = endpoint + (cluster ? " (cluster)" : "");
    }

    /**
     * Runs {@code work} with the pooled client.
     *
     * @param what names the work in log lines
     * @return the work's result; empty when Redis is unreachable, was a moment ago, or refused the work
     */
    public <T> Optional<T> call(String what, Function<UnifiedJedis, T> work) {
        if (closed || paused()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(work.apply(client.get()));
        } catch (JedisDataException e) {
            // Redis answered, with an error: a bug in a script or a key of the wrong type, not an outage.
            LOG.log(Level.SEVERE, what + " failed at Redis " + description, e);
            return Optional.empty();
        } catch (RuntimeException e) {
            pausedUntil = ticker.getAsLong() + PAUSE.toNanos();
            long held = failureLog.pass();
            if (held >= 0 && !closed) {
                LOG.warning(() -> what + " failed: Redis at " + description + " is unreachable (" + e.getMessage()
                        + "); shared state is skipped for " + PAUSE.toMillis() + " ms at a time (" + held
                        + " more failures since the last report)");
            }
            return Optional.empty();
        }
    }

    /** Whether calls are refused without trying Redis, in the pause after a failure. */
    boolean paused() {
        return ticker.getAsLong() - pausedUntil < 0;
    }

    @Override
    public void close() {
        closed = true;
        client.close();
    }

    /** Names the server, never the credentials. */
    @Override
    public String toString() {
        return description;
    }
}
