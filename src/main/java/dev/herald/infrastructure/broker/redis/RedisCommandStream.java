package dev.herald.infrastructure.broker.redis;

import dev.herald.infrastructure.redis.LazyRedisClient;
import dev.herald.infrastructure.redis.RedisEndpoint;
import dev.herald.application.ClientCommand;
import dev.herald.application.CommandSink;
import redis.clients.jedis.params.XAddParams;

import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Client commands on a Redis Stream, for workers in any language: each command is one
 * {@code XADD <stream> MAXLEN ~ <max> * connectionId .. user .. [tenant ..] channel .. name .. data .. [ref ..] ts ..}
 * (docs/redis.md). Workers read it with their own consumer groups; Herald only appends. On a Redis
 * Cluster the stream is one key, on the master owning its slot, and each XADD is sent there.
 *
 * <p>The port's guarantee, best effort: {@link #append} runs on the client's WebSocket thread, so it
 * waits at most {@link #TIMEOUT} for a pooled connection and as long for Redis to answer. After a
 * failure, commands are not sent for {@link #PAUSE} rather than each waiting for a Redis that is
 * down: commands sent meanwhile never reach the stream (logged, at most one line per interval).
 */
public class RedisCommandStream implements CommandSink, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RedisCommandStream.class.getName());

    /** Connect, borrow and reply limit: a client waits for its {@code accepted} at most about this long. */
    static final Duration TIMEOUT = Duration.ofMillis(500);
    static final Duration PAUSE = Duration.ofSeconds(1);
    private static final int POOL_SIZE = 8;
    private static final Duration LOG_INTERVAL = Duration.ofSeconds(10);

    private final RedisEndpoint endpoint;
    private final String stream;
    private final int maxLength;
    private final Clock clock;
    private final LazyRedisClient client;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** {@code System.nanoTime}, or a ticker a test moves by hand. */
    private final LongSupplier ticker;
    private volatile long pausedUntil;
    private final LogThrottle lostLog = new LogThrottle(LOG_INTERVAL);

    /**
     * @param url       {@code herald.redis.url}
     * @param cluster   whether the URL names a node of a Redis Cluster
     * @param maxLength the stream is trimmed to about this many entries (MAXLEN ~); zero never trims
     * @throws IllegalArgumentException when the URL is not a Redis URL
     */
    public RedisCommandStream(String url, boolean cluster, String stream, int maxLength, Clock clock) {
        this(url, cluster, stream, maxLength, clock, System::nanoTime);
    }

    RedisCommandStream(String url, boolean cluster, String stream, int maxLength, Clock clock, LongSupplier ticker) {
        this.endpoint = RedisEndpoint.parse(url);
        this.client = new LazyRedisClient(endpoint, cluster, POOL_SIZE, TIMEOUT, "herald-commands");
        this.stream = stream;
        this.maxLength = maxLength;
        this.clock = clock;
        this.ticker = ticker;
        this.pausedUntil = ticker.getAsLong();
    }

    @Override
    public void append(ClientCommand command) {
        if (closed.get()) {
            return;
        }
        if (paused()) {
            lost(command, "paused after a failure");
            return;
        }
        XAddParams params = XAddParams.xAddParams();
        if (maxLength > 0) {
            // Approximate trimming removes whole internal nodes only: cheap, and never below maxLength.
            params.maxLen(maxLength).approximateTrimming();
        }
        try {
            client.get().xadd(stream, params, fields(command, clock));
        } catch (RuntimeException e) {
            pausedUntil = ticker.getAsLong() + PAUSE.toNanos();
            // Idle connections lead to the Redis that just failed: the next try after the pause starts
            // afresh. (A cluster client drops a failed node's connections and reads the slot map again itself.)
            client.clearIdle();
            lost(command, String.valueOf(e.getMessage()));
        }
    }

    /** Whether commands are dropped without trying Redis, in the pause after a failure. */
    boolean paused() {
        return ticker.getAsLong() - pausedUntil < 0;
    }

    /** The entry of one command, fields in the documented order; optional ones only when present. */
    static Map<String, String> fields(ClientCommand command, Clock clock) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("connectionId", command.connectionId());
        fields.put("user", command.principal().subject());
        command.principal().tenant().ifPresent(tenant -> fields.put("tenant", tenant));
        fields.put("channel", command.channel().value());
        fields.put("name", command.name());
        fields.put("data", command.data());
        if (command.ref() != null) {
            fields.put("ref", command.ref());
        }
        fields.put("ts", DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.MILLIS)));
        return fields;
    }

    /** Never the command's data or the user: the log says that commands are lost, not what they said. */
    private void lost(ClientCommand command, String reason) {
        long held = lostLog.pass();
        if (held >= 0) {
            LOG.warning(() -> "a command (" + command.name() + " on " + command.channel() + ") did not reach the Redis stream "
                    + stream + " at " + endpoint + ": " + reason + "; " + held + " more lost since the last report."
                    + " Commands reach this server's observers; workers on the stream miss them");
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            client.close();
        }
    }

    @Override
    public String toString() {
        return "Redis stream " + stream + " at " + endpoint;
    }
}
