package dev.herald.infrastructure.broker.redis;

import dev.herald.application.ErrorCode;
import dev.herald.application.HeraldException;
import dev.herald.application.PublishService;
import dev.herald.application.session.InstanceId;
import dev.herald.infrastructure.redis.LazyRedisClient;
import dev.herald.infrastructure.redis.RedisEndpoint;
import dev.herald.domain.Event;
import dev.herald.domain.IdempotencyKey;
import dev.herald.domain.StoreUnavailableException;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.commands.StreamCommands;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XAutoClaimParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamConsumerInfo;
import redis.clients.jedis.resps.StreamEntry;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishing from other programs through a Redis Stream: every instance reads the ingest stream as
 * one consumer of the group {@value #GROUP}, so each entry goes to one instance, which checks it
 * like an HTTP publish ({@link IngestEntry}), stores and fans it out with
 * {@link PublishService#publishOnce}, and only then acknowledges it (XACK).
 *
 * <p>Exactly once: an entry is acknowledged after its event is committed, or after it was refused.
 * An instance that fails in between (crash, lost connection, database down) leaves the entry
 * pending; it is read again (by the same instance after a failure, by another one after
 * {@link Tuning#claimIdle} through XAUTOCLAIM) and its idempotency key, committed with the first
 * event, drops the repeat. The same key drops a publisher's own repeats.
 *
 * <p>Refused entries (a missing or invalid field, data too large) are acknowledged, logged at
 * WARNING without their data, and recorded on the rejected stream with the entry's id, the error
 * code and the reason. Access to Redis is the security boundary: whoever may XADD to the ingest
 * stream may publish to any channel.
 *
 * <p>One connection per instance runs the loop on the executor it is given; a dropped connection is
 * retried with jittered backoff, and {@link #close()} returns within a few seconds. On a Redis
 * Cluster that connection goes to the master owning the stream's slot, looked up (CLUSTER SLOTS) at
 * every connect: a failover or a slot move ends the connection (or answers MOVED), and the next
 * connect finds the new owner. The rejected stream may live on another master; its records go
 * through a cluster client.
 */
public class RedisIngestStream implements AutoCloseable {

    /** The consumer group every Herald instance reads the ingest stream in. */
    public static final String GROUP = "herald";

    private static final Logger LOG = Logger.getLogger(RedisIngestStream.class.getName());

    /** Connect and reply limit of every command but the blocking read. */
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** The blocking read's reply limit is its block time plus this; a silent Redis counts as gone. */
    private static final Duration READ_MARGIN = Duration.ofSeconds(3);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
    /** A refused entry is tried this often when it fails for a reason that is neither the entry nor an outage. */
    static final int MAX_ATTEMPTS = 5;
    /** Rejections kept on the rejected stream, about. */
    static final int REJECTED_MAX_LENGTH = 10_000;
    private static final int CLAIM_PAGES = 10;
    private static final Duration LOG_INTERVAL = Duration.ofSeconds(5);
    private static final Duration OUTAGE_LOG_INTERVAL = Duration.ofSeconds(30);

    /**
     * @param block          how long one read waits for new entries
     * @param claimIdle      an entry pending this long with another consumer is taken over: longer
     *                       than any publish takes, shorter than anyone wants to wait after a crash
     * @param claimEvery     how often pending entries of other consumers are looked for
     * @param batch          entries per read and per claim
     * @param forgetIdle     consumers with nothing pending that have not read for this long (stopped
     *                       instances; each start has a new name) are removed from the group
     */
    record Tuning(Duration block, Duration claimIdle, Duration claimEvery, int batch, Duration forgetIdle) {
        static final Tuning DEFAULT = new Tuning(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(5), 50,
                Duration.ofHours(1));
    }

    private final RedisEndpoint endpoint;
    private final String stream;
    private final String rejectedStream;
    private final String consumer;
    private final PublishService publishing;
    private final Executor executor;
    private final Tuning tuning;
    private final JedisClientConfig clientConfig;
    private final boolean cluster;
    /** Cluster only: for the rejected stream, which may live on another master than the ingest stream. */
    private final LazyRedisClient clusterClient;
    /** Cluster only: where the stream's slot lives. */
    private final ClusterSlotMap slotMap;

    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean loopRunning;
    private volatile boolean connected;
    /** Set while the loop waits in a blocking read, when closing may cut the connection at once. */
    private volatile boolean waiting;
    private volatile Jedis connection;

    /** Loop thread only: entries that failed for an unexpected reason, and how often. */
    private final Map<StreamEntryID, Integer> attempts = new HashMap<>();
    private long nextForget = System.nanoTime();

    private final LogThrottle rejectedLog = new LogThrottle(LOG_INTERVAL);
    private final LogThrottle storeLog = new LogThrottle(LOG_INTERVAL);
    private final LogThrottle outageLog = new LogThrottle(OUTAGE_LOG_INTERVAL);

    /**
     * @param url            {@code herald.redis.url}
     * @param cluster        whether the URL names a node of a Redis Cluster
     * @param stream         the ingest stream ({@code herald.ingest.stream})
     * @param rejectedStream where refused entries are recorded
     * @param consumer       this instance's name in the group, different on every instance
     * @param executor       runs the loop for as long as the stream is open
     * @throws IllegalArgumentException when the URL is not a Redis URL
     */
    public RedisIngestStream(String url, boolean cluster, String stream, String rejectedStream, String consumer,
                             PublishService publishing, Executor executor) {
        this(url, cluster, stream, rejectedStream, consumer, publishing, executor, Tuning.DEFAULT);
    }

    RedisIngestStream(String url, boolean cluster, String stream, String rejectedStream, String consumer,
                      PublishService publishing, Executor executor, Tuning tuning) {
        this.endpoint = RedisEndpoint.parse(url);
        this.cluster = cluster;
        this.clusterClient = cluster ? new LazyRedisClient(endpoint, true, 2, TIMEOUT, "herald-ingest-rejected") : null;
        this.stream = stream;
        this.rejectedStream = rejectedStream;
        this.consumer = consumer;
        this.publishing = publishing;
        this.executor = executor;
        this.tuning = tuning;
        this.clientConfig = endpoint.clientConfig(TIMEOUT, "herald-ingest")
                .blockingSocketTimeoutMillis((int) tuning.block().plus(READ_MARGIN).toMillis())
                .build();
        this.slotMap = cluster ? new ClusterSlotMap(endpoint.address(), clientConfig) : null;
    }

    /** The consumer name of this start of this instance: the host, if known, for people reading XINFO, and the instance id. */
    public static String consumerName(InstanceId instance) {
        String host = Optional.ofNullable(System.getenv("HOSTNAME"))
                .map(h -> h.replaceAll("[^A-Za-z0-9._-]", ""))
                .filter(h -> !h.isEmpty())
                .map(h -> h.length() > 64 ? h.substring(0, 64) : h)
                .orElse("herald");
        return host + "-" + instance;
    }

    /** Starts the loop. Call once; it runs until {@link #close()}. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("already started");
        }
        executor.execute(this::run);
    }

    /** Whether the loop holds a connection and its group. */
    public boolean isConnected() {
        return connected;
    }

    /**
     * Stops reading. Bounded: cuts a connection that waits for new entries at once; lets the batch
     * being published finish for up to two seconds, then cuts the connection anyway. Entries cut
     * off before their XACK stay pending and are taken over by another instance; their keys keep
     * them from being published twice.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closing.countDown();
        try {
            if (loopRunning) {
                if (waiting || !stopped.await(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    abort();
                }
                if (!stopped.await(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warning("the Redis ingest loop did not stop within " + 2 * CLOSE_WAIT.toSeconds()
                            + " s; its entries stay pending and are taken over by another instance");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (clusterClient != null) {
            clusterClient.close();
        }
        LOG.info(() -> "stopped consuming " + stream + " at " + endpoint);
    }

    /** Whether the loop has ended: after {@link #close()}, unless a call it made is stuck. */
    boolean loopEnded() {
        return stopped.getCount() == 0;
    }

    @Override
    public String toString() {
        return "Redis stream " + stream + " at " + endpoint + " (group " + GROUP + ", consumer " + consumer + ")";
    }

    // --- the loop ------------------------------------------------------------------------------

    /** Loop outside the reads so that a dropped connection starts afresh with this consumer's pending entries. */
    private void run() {
        loopRunning = true;
        int failuresInRow = 0;
        try {
            while (!closed.get()) {
                RuntimeException failure = null;
                boolean wasConnected = false;
                try (Jedis jedis = new Jedis(cluster ? owner() : endpoint.address(), clientConfig)) {
                    connection = jedis;
                    if (closed.get()) {
                        break;
                    }
                    createGroup(jedis);
                    connected = true;
                    wasConnected = true;
                    outageLog.reset();
                    LOG.info(() -> "consuming " + this);
                    consume(jedis);
                } catch (RuntimeException e) {
                    failure = e;
                } finally {
                    connected = false;
                    connection = null;
                }
                if (closed.get()) {
                    break;
                }
                if (wasConnected) {
                    failuresInRow = 0;
                }
                reportFailure(failure, wasConnected, failuresInRow + 1);
                if (closing.await(RedisBroker.backoff(failuresInRow++), TimeUnit.MILLISECONDS)) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.log(Level.SEVERE, "the Redis ingest loop failed; entries of " + stream + " wait for other instances", e);
        } finally {
            stopped.countDown();
        }
    }

    /** The master that owns the stream's slot now. */
    private HostAndPort owner() {
        HostAndPort owner = slotMap.read(false)[JedisClusterCRC16.getSlot(stream)];
        if (owner == null) {
            throw new IllegalStateException("no master of the Redis cluster at " + endpoint + " serves the slot of " + stream);
        }
        return owner;
    }

    /** From the start, so that entries added before any Herald ran are published too. */
    private void createGroup(Jedis jedis) {
        try {
            jedis.xgroupCreate(stream, GROUP, new StreamEntryID(0, 0), true);
            LOG.info(() -> "created the consumer group " + GROUP + " of " + stream);
        } catch (JedisDataException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("BUSYGROUP")) {
                throw e;
            }
        }
    }

    /**
     * Reads and handles entries until closed. This consumer's own pending entries come first (left
     * by a failure, or taken over from another consumer), oldest first, then new ones.
     */
    private void consume(Jedis jedis) throws InterruptedException {
        boolean backlog = true;
        long nextClaim = System.nanoTime();
        int failuresInRow = 0;
        while (!closed.get()) {
            if (System.nanoTime() - nextClaim >= 0) {
                if (claimStale(jedis) > 0) {
                    backlog = true;
                }
                forgetStoppedConsumers(jedis);
                nextClaim = System.nanoTime() + tuning.claimEvery().toNanos();
            }
            List<StreamEntry> entries;
            if (backlog) {
                entries = read(jedis, new StreamEntryID(0, 0), false);
                if (entries.isEmpty()) {
                    backlog = false;
                    continue;
                }
            } else {
                entries = read(jedis, StreamEntryID.UNRECEIVED_ENTRY, true);
            }
            if (handleAll(jedis, entries)) {
                failuresInRow = 0;
            } else {
                // What failed is still pending with this consumer: read it again after a pause.
                backlog = true;
                if (closing.await(RedisBroker.backoff(failuresInRow++), TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        }
    }

    private List<StreamEntry> read(Jedis jedis, StreamEntryID from, boolean block) {
        XReadGroupParams params = XReadGroupParams.xReadGroupParams().count(tuning.batch());
        if (block) {
            params.block((int) tuning.block().toMillis());
        }
        List<Map.Entry<String, List<StreamEntry>>> reply;
        waiting = block;
        try {
            if (closed.get()) {
                return List.of();
            }
            reply = jedis.xreadGroup(GROUP, consumer, params, Map.of(stream, from));
        } finally {
            waiting = false;
        }
        if (reply == null || reply.isEmpty() || reply.get(0).getValue() == null) {
            return List.of();
        }
        return reply.get(0).getValue();
    }

    /** Takes over entries pending with any consumer for longer than the claim idle time; only their ids. */
    private int claimStale(Jedis jedis) {
        int claimed = 0;
        StreamEntryID cursor = new StreamEntryID(0, 0);
        for (int page = 0; page < CLAIM_PAGES; page++) {
            Map.Entry<StreamEntryID, List<StreamEntryID>> reply = jedis.xautoclaimJustId(stream, GROUP, consumer,
                    tuning.claimIdle().toMillis(), cursor, XAutoClaimParams.xAutoClaimParams().count(tuning.batch()));
            claimed += reply.getValue().size();
            cursor = reply.getKey();
            if (cursor == null || cursor.equals(new StreamEntryID(0, 0))) {
                break;
            }
        }
        if (claimed > 0) {
            int n = claimed;
            LOG.info(() -> "took over " + n + " entries of " + stream + " pending for more than "
                    + tuning.claimIdle().toSeconds() + " s (a stopped or stalled instance)");
        }
        return claimed;
    }

    /** Removes consumers of stopped instances, so the group lists only live ones. Only those with nothing pending. */
    private void forgetStoppedConsumers(Jedis jedis) {
        if (System.nanoTime() - nextForget < 0) {
            return;
        }
        nextForget = System.nanoTime() + tuning.forgetIdle().dividedBy(4).toNanos();
        for (StreamConsumerInfo info : jedis.xinfoConsumers2(stream, GROUP)) {
            if (!info.getName().equals(consumer) && info.getPending() == 0 && info.getIdle() > tuning.forgetIdle().toMillis()) {
                jedis.xgroupDelConsumer(stream, GROUP, info.getName());
                LOG.fine(() -> "removed the idle consumer " + info.getName() + " from " + stream);
            }
        }
    }

    /** @return false when an entry could not be handled now; it and the ones after it stay pending */
    private boolean handleAll(Jedis jedis, List<StreamEntry> entries) {
        // Not stopped by close(): it gives the batch a moment to finish, then cuts the connection.
        for (StreamEntry entry : entries) {
            if (entry == null) {
                continue;
            }
            if (!handle(jedis, entry)) {
                return false;
            }
        }
        return true;
    }

    /** @return whether the entry is done with: published, dropped as a repeat or refused, and acknowledged */
    private boolean handle(Jedis jedis, StreamEntry entry) {
        StreamEntryID id = entry.getID();
        Map<String, String> fields = entry.getFields();
        if (fields == null || fields.isEmpty()) {
            // Trimmed or deleted from the stream while pending (XADD needs at least one field): nothing left to publish.
            LOG.fine(() -> "entry " + id + " of " + stream + " was deleted before it was published");
            jedis.xack(stream, GROUP, id);
            return true;
        }
        try {
            IngestEntry parsed = IngestEntry.parse(fields);
            Optional<Event> published = publishing.publishOnce(parsed.channel(), parsed.draft(), parsed.key());
            if (published.isPresent()) {
                LOG.finer(() -> "published entry " + id + " as " + published.get().channel() + " " + published.get().seq());
            } else {
                LOG.fine(() -> "entry " + id + " repeats the idempotency key " + parsed.key() + "; not published again");
            }
        } catch (HeraldException e) {
            reject(jedis, id, fields, e.code(), e.getMessage());
        } catch (StoreUnavailableException e) {
            long held = storeLog.pass();
            if (held >= 0) {
                LOG.warning(() -> "cannot publish entries of " + stream + ": " + e.getMessage()
                        + "; they stay pending and are retried");
            }
            return false;
        } catch (RuntimeException e) {
            if (attempts.size() > 1000) {
                attempts.clear(); // entries another instance took over since; a count restarting is harmless
            }
            int failed = attempts.merge(id, 1, Integer::sum);
            if (failed < MAX_ATTEMPTS) {
                LOG.log(Level.SEVERE, "publishing entry " + id + " of " + stream + " failed (attempt " + failed + " of "
                        + MAX_ATTEMPTS + ")", e);
                return false;
            }
            reject(jedis, id, fields, ErrorCode.INTERNAL_ERROR, "publishing failed " + failed + " times ("
                    + e.getClass().getName() + "); the log of consumer " + consumer + " has the details");
        }
        attempts.remove(id);
        jedis.xack(stream, GROUP, id);
        return true;
    }

    /** Records the refusal (never the data) before the entry is acknowledged. */
    private void reject(Jedis jedis, StreamEntryID id, Map<String, String> fields, ErrorCode code, String reason) {
        Optional<IdempotencyKey> key = IdempotencyKey.tryParse(fields.get(IngestEntry.IDEMPOTENCY_KEY));
        long held = rejectedLog.pass();
        if (held >= 0) {
            LOG.warning(() -> "refused entry " + id + " of " + stream + key.map(k -> " (idempotencyKey " + k + ")").orElse("")
                    + ": " + code.code() + ": " + reason + "; recorded on " + rejectedStream
                    + (held > 0 ? " (" + held + " more refused since the last report)" : ""));
        }
        Map<String, String> record = new LinkedHashMap<>();
        record.put("id", id.toString());
        record.put("code", code.code());
        record.put("reason", reason);
        key.ifPresent(k -> record.put(IngestEntry.IDEMPOTENCY_KEY, k.value()));
        record.put("consumer", consumer);
        record.put("ts", DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.MILLIS)));
        // On a cluster the rejected stream's slot may belong to another master than the loop's connection.
        StreamCommands target = cluster ? clusterClient.get() : jedis;
        try {
            target.xadd(rejectedStream, XAddParams.xAddParams().maxLen(REJECTED_MAX_LENGTH).approximateTrimming(), record);
        } catch (JedisDataException e) {
            // Redis refused the record (the key holds something else, an ACL): the entry is still
            // refused, or this one problem would hold up the whole stream. A lost connection is not
            // caught here: the entry stays pending and is refused again after the reconnect.
            LOG.severe(() -> "cannot record the refusal of entry " + id + " on " + rejectedStream + ": " + e.getMessage()
                    + "; it is refused all the same (" + code.code() + ")");
        }
    }

    private void reportFailure(RuntimeException failure, boolean wasConnected, int failuresInRow) {
        String reason = failure == null ? "the connection ended" : String.valueOf(failure.getMessage());
        if (wasConnected) {
            outageLog.reset();
            outageLog.pass();
            LOG.warning(() -> "lost the Redis ingest stream " + stream + " at " + endpoint + " (" + reason
                    + "); reconnecting with backoff");
        } else if (outageLog.pass() >= 0) {
            LOG.warning(() -> "cannot consume the Redis ingest stream " + stream + " at " + endpoint + " (" + reason + "), "
                    + failuresInRow + " attempts in a row; still trying");
        } else {
            LOG.fine(() -> "Redis ingest attempt at " + endpoint + " failed: " + reason);
        }
    }

    /** Closes the socket from any thread; the loop's read then fails at once. */
    private void abort() {
        Jedis j = connection;
        if (j != null) {
            try {
                j.close();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "closing the Redis ingest connection failed", e);
            }
        }
    }
}
