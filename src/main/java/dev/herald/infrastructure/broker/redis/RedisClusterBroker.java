package dev.herald.infrastructure.broker.redis;

import dev.herald.application.broker.Broker;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.infrastructure.redis.ControlChannel;
import dev.herald.infrastructure.redis.RedisEndpoint;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisShardedPubSub;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The broker of many instances on a Redis Cluster: sharded pub/sub (SPUBLISH/SSUBSCRIBE), so each
 * Herald channel's traffic stays on the shard that owns its slot and pub/sub load spreads over the
 * shards instead of being broadcast to every node.
 *
 * <p>Same guarantee and wire format as {@link RedisBroker}: Herald channel {@code ns:id} is the
 * sharded channel {@code herald:ch:ns:id}, hashed on its full name; one event per message as compact
 * JSON. The control channel {@code herald:control} is a sharded channel too (it lives on the shard
 * owning its slot), so in cluster mode control messages must be sent with {@code SPUBLISH}.
 *
 * <p>Connections: one subscriber connection per master, opened from the cluster's slot map (read from
 * the seed node of {@code herald.redis.url}, or any node known from the last map); each Herald
 * channel is subscribed on the master owning its slot, one {@code SSUBSCRIBE} per channel (a command
 * may not span slots), confirmed like {@link RedisBroker}'s subscribes. Each connection also holds a
 * keeper channel of its own shard, so it stays open with no Herald channel on it; re-subscribing the
 * keeper every ping interval is the connection's liveness check (sharded pub/sub has no PING).
 * All connections of one slot map form a generation: when any of them drops, or the server ends a
 * wanted channel's subscription (its slot moved), the whole generation is closed, the slot map is
 * read again after a backoff, every wanted channel is subscribed on its current owner and the
 * listener's {@link Listener#onResubscribed()} runs. Publishing uses {@link JedisCluster}, which
 * follows MOVED redirections itself.
 */
public class RedisClusterBroker implements Broker, ControlChannel, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RedisClusterBroker.class.getName());

    private static final int POOL_SIZE = 8;
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final Duration PUBLISH_PAUSE = Duration.ofSeconds(1);
    private static final Duration SUBSCRIBE_WAIT = Duration.ofSeconds(5);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
    private static final Duration LOG_INTERVAL = Duration.ofSeconds(5);
    private static final Duration OUTAGE_LOG_INTERVAL = Duration.ofSeconds(30);

    private final RedisBroker.Liveness liveness;
    private final String description;
    private final HostAndPort seed;
    private final JedisClientConfig commandConfig;
    private final JedisClientConfig subscriberConfig;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;

    private final Set<ChannelName> wanted = ConcurrentHashMap.newKeySet();
    /** Serialises writes on the subscriber connections and changes of {@link #wanted}, as in RedisBroker. */
    private final ReentrantLock commands = new ReentrantLock();
    private final Inbox inbox;
    private volatile Generation generation;
    private volatile JedisCluster publisher;
    private final ClusterSlotMap slotMap;

    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean loopRunning;
    private volatile ScheduledFuture<?> pings;
    private volatile long publishesPausedUntil = System.nanoTime();

    private final LogThrottle skippedLog = new LogThrottle(LOG_INTERVAL);
    private final LogThrottle failedPublishLog = new LogThrottle(LOG_INTERVAL);
    private final LogThrottle lostControlLog = new LogThrottle(LOG_INTERVAL);
    private final LogThrottle outageLog = new LogThrottle(OUTAGE_LOG_INTERVAL);

    /**
     * @param url a Redis URL naming one node of the cluster (the seed); database must be 0
     * @throws IllegalArgumentException when the URL is not a Redis URL
     */
    public RedisClusterBroker(String url, Executor executor, ScheduledExecutorService scheduler) {
        this(url, executor, scheduler, RedisBroker.Liveness.DEFAULT);
    }

    RedisClusterBroker(String url, Executor executor, ScheduledExecutorService scheduler, RedisBroker.Liveness liveness) {
        RedisEndpoint endpoint = RedisEndpoint.parse(url);
        this.liveness = liveness;
        this.executor = executor;
        this.inbox = new Inbox(LOG, wanted, executor);
        this.scheduler = scheduler;
        this.seed = endpoint.address();
        this.description = endpoint + " (cluster)";
        this.commandConfig = endpoint.clientConfig(TIMEOUT, "herald-publisher").build();
        if (commandConfig.getDatabase() != 0) {
            throw new IllegalArgumentException("herald.redis.url: Redis Cluster has only database 0");
        }
        this.slotMap = new ClusterSlotMap(seed, commandConfig);
        this.subscriberConfig = endpoint.clientConfig(TIMEOUT, "herald-subscriber")
                .blockingSocketTimeoutMillis((int) liveness.silenceLimit().toMillis())
                .build();
    }

    /** Starts the subscription loop and its pings. Call once; the broker works until {@link #close()}. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("already started");
        }
        executor.execute(this::run);
        long ping = liveness.pingInterval().toMillis();
        pings = scheduler.scheduleWithFixedDelay(this::ping, ping, ping, TimeUnit.MILLISECONDS);
    }

    @Override
    public void listen(Listener listener) {
        inbox.listen(listener);
    }

    /** Sets the one receiver of the messages SPUBLISHed on {@link RedisBroker#CONTROL_CHANNEL}; runs on a subscription thread. */
    @Override
    public void onControl(Consumer<String> listener) {
        inbox.onControl(listener);
    }

    /**
     * SPUBLISHes on {@link RedisBroker#CONTROL_CHANNEL}, which reaches every instance: each one
     * subscribes it on its owning master. Skipped, like events, while no publisher is open and in
     * the pause after a failed publish.
     */
    @Override
    public void sendControl(String message) {
        if (closed.get()) {
            return;
        }
        JedisCluster cluster = publisher;
        if (cluster != null && System.nanoTime() - publishesPausedUntil >= 0) {
            try {
                cluster.spublish(RedisBroker.CONTROL_CHANNEL, message);
                return;
            } catch (RuntimeException e) {
                publishesPausedUntil = System.nanoTime() + PUBLISH_PAUSE.toNanos();
            }
        }
        long held = lostControlLog.pass();
        if (held >= 0) {
            LOG.warning(() -> "a control message did not reach the Redis cluster at " + description + " (" + held
                    + " more since the last report); the other instances repair what it said at their next renewal");
        }
    }

    @Override
    public boolean isConnected() {
        Generation g = generation;
        return g != null && g.ready && !g.ended;
    }

    /** The master that currently holds a channel's subscription, if connected; for tests and diagnostics. */
    HostAndPort subscriberOf(ChannelName channel) {
        Generation g = generation;
        return g == null ? null : g.owner(RedisBroker.redisChannel(channel)).node;
    }

    @Override
    public void publish(Event event) {
        if (closed.get()) {
            return;
        }
        Generation g = generation;
        JedisCluster cluster = publisher;
        if (g == null || g.ended || cluster == null || System.nanoTime() - publishesPausedUntil < 0) {
            long held = skippedLog.pass();
            if (held >= 0) {
                LOG.info(() -> "Redis cluster at " + description + " is unreachable: publishes are skipped (" + (held + 1)
                        + " since the last report); receivers read the store instead");
            }
            return;
        }
        try {
            cluster.spublish(RedisBroker.redisChannel(event.channel()), RedisEventCodec.encode(event));
        } catch (RuntimeException e) {
            publishesPausedUntil = System.nanoTime() + PUBLISH_PAUSE.toNanos();
            long held = failedPublishLog.pass();
            if (held >= 0) {
                LOG.warning(() -> "publishing " + event.channel() + " " + event.seq() + " to Redis cluster at " + description
                        + " failed (" + e + "); publishes pause for " + PUBLISH_PAUSE.toMillis() + " ms ("
                        + held + " more failures since the last report); the event is stored");
            }
        }
    }

    @Override
    public void subscribe(ChannelName channel) {
        PendingCommand confirmation;
        commands.lock();
        try {
            wanted.add(channel);
            Generation g = generation;
            if (closed.get() || g == null || g.ended) {
                return;
            }
            Shard shard = g.owner(RedisBroker.redisChannel(channel));
            if (!shard.writable || shard.ended) {
                return; // subscribed when the shard opens, or by the next generation
            }
            confirmation = shard.send(true, false, RedisBroker.redisChannel(channel));
        } finally {
            commands.unlock();
        }
        if (confirmation != null && !confirmation.await(SUBSCRIBE_WAIT) && !confirmation.abandoned) {
            LOG.warning(() -> "Redis did not confirm the subscription of " + channel + " within "
                    + SUBSCRIBE_WAIT.toSeconds() + " s; the periodic head check covers events it misses");
        }
    }

    @Override
    public void unsubscribe(ChannelName channel) {
        commands.lock();
        try {
            wanted.remove(channel);
            Generation g = generation;
            if (g == null || g.ended) {
                return;
            }
            Shard shard = g.owner(RedisBroker.redisChannel(channel));
            if (shard.writable && !shard.ended) {
                shard.send(false, false, RedisBroker.redisChannel(channel));
            }
        } finally {
            commands.unlock();
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closing.countDown();
        ScheduledFuture<?> p = pings;
        if (p != null) {
            p.cancel(false);
        }
        try {
            Generation g = generation;
            if (g != null) {
                g.abort();
            }
            if (loopRunning && !stopped.await(2 * CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warning("the Redis cluster subscription loop did not stop within " + 2 * CLOSE_WAIT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            JedisCluster cluster = publisher;
            if (cluster != null) {
                cluster.close();
            }
        }
        LOG.info(() -> "Redis cluster broker for " + description + " closed");
    }

    @Override
    public String toString() {
        return "Redis sharded pub/sub at " + description;
    }

    // --- the generations ----------------------------------------------------------------------

    private void run() {
        loopRunning = true;
        int attempt = 0;
        int failuresInRow = 0;
        try {
            while (!closed.get() && !Thread.currentThread().isInterrupted()) {
                Generation g;
                RuntimeException failure = null;
                try {
                    g = new Generation(attempt > 0, slotMap.read(true));
                } catch (RuntimeException e) {
                    g = null;
                    failure = e;
                }
                attempt++;
                if (g != null) {
                    commands.lock();
                    try {
                        if (closed.get()) {
                            break;
                        }
                        generation = g;
                    } finally {
                        commands.unlock();
                    }
                    ensurePublisher(g.reconnect);
                    for (Shard shard : g.shards) {
                        try {
                            executor.execute(shard::run);
                        } catch (RejectedExecutionException e) {
                            shard.failure = e;
                            g.shardEnded(shard);
                        }
                    }
                    g.awaitEnd();
                    g.abort();
                    g.awaitStopped(CLOSE_WAIT);
                    g.end();
                    failure = g.firstFailure();
                }
                if (closed.get()) {
                    break;
                }
                boolean wasReady = g != null && g.ready;
                if (wasReady) {
                    failuresInRow = 0;
                }
                reportFailure(wasReady, failure, failuresInRow + 1);
                if (closing.await(RedisBroker.backoff(failuresInRow++), TimeUnit.MILLISECONDS)) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.log(Level.SEVERE, "the Redis cluster subscription loop failed; events now arrive only from the store", e);
        } finally {
            Generation g = generation;
            if (g != null) {
                g.abort();
            }
            JedisCluster cluster = publisher;
            if (closed.get() && cluster != null) {
                // close() may have run while this loop was opening the publisher.
                cluster.close();
            }
            stopped.countDown();
        }
    }

    /** Opens the publisher, or after a reconnect a fresh one: idle connections may lead to a node that went away. */
    private void ensurePublisher(boolean renew) {
        JedisCluster old = publisher;
        if (old != null && !renew) {
            return;
        }
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(POOL_SIZE);
        pool.setMaxIdle(POOL_SIZE);
        pool.setMaxWait(TIMEOUT);
        pool.setTimeBetweenEvictionRuns(Duration.ofMillis(-1));
        pool.setJmxEnabled(false);
        try {
            publisher = new JedisCluster(slotMap.nodes(), commandConfig, 2, pool);
            if (old != null) {
                old.close();
            }
        } catch (RuntimeException e) {
            LOG.warning(() -> "cannot open the Redis cluster publisher yet (" + e.getMessage() + "); retried on the next reconnect");
        }
    }

    private void reportFailure(boolean wasReady, RuntimeException failure, int failuresInRow) {
        String reason = failure == null ? "the subscription ended" : String.valueOf(failure.getMessage());
        if (wasReady) {
            outageLog.reset();
            outageLog.pass();
            LOG.warning(() -> "lost the Redis cluster subscription at " + description + " (" + reason
                    + "); reading the slot map again and reconnecting with backoff, events arrive from the store meanwhile");
        } else if (outageLog.pass() >= 0) {
            LOG.warning(() -> "cannot subscribe at Redis cluster " + description + " (" + reason + "), "
                    + failuresInRow + " attempts in a row; still trying, events arrive from the store meanwhile");
        } else {
            LOG.fine(() -> "Redis cluster subscription attempt at " + description + " failed: " + reason);
        }
    }

    private void ping() {
        try {
            Generation g = generation;
            if (g == null || g.ended || !commands.tryLock()) {
                return;
            }
            try {
                for (Shard shard : g.shards) {
                    if (shard.writable && !shard.ended) {
                        try {
                            shard.ssubscribe(shard.keeper);
                        } catch (RuntimeException e) {
                            shard.abort();
                        }
                    }
                }
            } finally {
                commands.unlock();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "Redis cluster ping failed", e);
        }
    }


    private void resubscribed(Generation g) {
        skippedLog.reset();
        failedPublishLog.reset();
        if (!g.reconnect) {
            LOG.info(() -> "Redis cluster broker connected to " + g.shards.size() + " masters via " + description);
            return;
        }
        LOG.info(() -> "Redis cluster subscription at " + description + " restored on " + g.shards.size() + " masters");
        inbox.resubscribed();
    }

    /** The subscriber connections of one slot map. */
    private final class Generation {
        final boolean reconnect;
        final Shard[] owners = new Shard[ClusterSlotMap.SLOTS];
        final List<Shard> shards = new ArrayList<>();
        final CountDownLatch anyEnded = new CountDownLatch(1);
        final AtomicInteger readyLeft;
        final AtomicInteger running;
        /** Why the first connection of this generation ended; the others are closed with it. */
        final java.util.concurrent.atomic.AtomicReference<RuntimeException> cause = new java.util.concurrent.atomic.AtomicReference<>();
        volatile boolean ready;
        volatile boolean ended;

        Generation(boolean reconnect, HostAndPort[] slotOwners) {
            this.reconnect = reconnect;
            Map<HostAndPort, Shard> byNode = new LinkedHashMap<>();
            for (int slot = 0; slot < ClusterSlotMap.SLOTS; slot++) {
                HostAndPort node = slotOwners[slot];
                owners[slot] = byNode.computeIfAbsent(node, n -> new Shard(this, n));
            }
            shards.addAll(byNode.values());
            for (Shard shard : shards) {
                shard.keeper = keeperOf(shard);
            }
            readyLeft = new AtomicInteger(shards.size());
            running = new AtomicInteger(shards.size());
        }

        /** A sharded channel of the shard's own slots, held so its connection stays open. */
        private String keeperOf(Shard shard) {
            for (int i = 0; ; i++) {
                String name = "herald:keep:{" + i + "}";
                if (owners[JedisClusterCRC16.getSlot(name)] == shard) {
                    return name;
                }
            }
        }

        Shard owner(String redisChannel) {
            return owners[JedisClusterCRC16.getSlot(redisChannel)];
        }

        void shardReady() {
            if (readyLeft.decrementAndGet() == 0 && !ended) {
                ready = true;
                resubscribed(this);
            }
        }

        void shardEnded(Shard shard) {
            RuntimeException why = shard.failure != null ? shard.failure
                    : new IllegalStateException("the subscription at " + shard.node + " ended");
            if (anyEnded.getCount() > 0) {
                cause.compareAndSet(null, why);
            }
            running.decrementAndGet();
            anyEnded.countDown();
        }

        void awaitEnd() throws InterruptedException {
            while (!anyEnded.await(100, TimeUnit.MILLISECONDS)) {
                if (closed.get()) {
                    return;
                }
            }
        }

        void awaitStopped(Duration wait) throws InterruptedException {
            long end = System.nanoTime() + wait.toNanos();
            while (running.get() > 0 && System.nanoTime() - end < 0) {
                Thread.sleep(10);
            }
        }

        void abort() {
            for (Shard shard : shards) {
                shard.abort();
            }
        }

        void end() {
            commands.lock();
            try {
                ended = true;
                if (generation == this) {
                    generation = null;
                }
            } finally {
                commands.unlock();
            }
            for (Shard shard : shards) {
                shard.end();
            }
        }

        RuntimeException firstFailure() {
            return cause.get();
        }
    }


    /** One subscriber connection to one master. */
    private final class Shard extends JedisShardedPubSub {
        final Generation generation;
        final HostAndPort node;
        final Queue<PendingCommand> pending = new ConcurrentLinkedQueue<>();
        String keeper;
        volatile Connection connection;
        volatile boolean writable;
        volatile boolean ended;
        volatile RuntimeException failure;
        private int initialLeft;

        Shard(Generation generation, HostAndPort node) {
            this.generation = generation;
            this.node = node;
        }

        void run() {
            try (Connection c = new Connection(node, subscriberConfig)) {
                connection = c;
                if (!closed.get() && !generation.ended) {
                    proceed(c, keeper);
                }
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            } finally {
                generation.shardEnded(this);
            }
        }

        /** Writes one SSUBSCRIBE or SUNSUBSCRIBE; caller holds {@link #commands}. */
        PendingCommand send(boolean subscribe, boolean initial, String channel) {
            PendingCommand p = new PendingCommand(subscribe, channel, initial);
            pending.add(p);
            try {
                if (subscribe) {
                    ssubscribe(channel);
                } else {
                    sunsubscribe(channel);
                }
                return p;
            } catch (RuntimeException e) {
                abort();
                return null;
            }
        }

        @Override
        public void onSSubscribe(String channel, int subscribedChannels) {
            if (keeper.equals(channel)) {
                if (!writable) {
                    opened();
                }
                return; // later ones answer the pings
            }
            confirm(true, channel);
        }

        @Override
        public void onSUnsubscribe(String channel, int subscribedChannels) {
            if (keeper.equals(channel)) {
                abort("the slot of " + keeper + " moved away from " + node); // read the slot map again
                return;
            }
            PendingCommand head = pending.peek();
            if (head != null && !head.subscribe && head.channel.equals(channel)) {
                confirm(false, channel);
                return;
            }
            // Not asked for: the server ended it because the slot moved to another master.
            abort("Redis ended the sharded subscription of " + channel + " on " + node + ": its slot moved");
        }

        @Override
        public void onSMessage(String channel, String message) {
            inbox.deliver(channel, message);
        }

        private void opened() {
            boolean readyNow;
            commands.lock();
            try {
                if (closed.get() || generation.ended) {
                    abort();
                    return;
                }
                writable = true;
                List<String> channels = new ArrayList<>();
                for (ChannelName c : wanted) {
                    String name = RedisBroker.redisChannel(c);
                    if (generation.owner(name) == this) {
                        channels.add(name);
                    }
                }
                if (generation.owner(RedisBroker.CONTROL_CHANNEL) == this) {
                    channels.add(RedisBroker.CONTROL_CHANNEL);
                }
                initialLeft = channels.size();
                readyNow = channels.isEmpty();
                for (String name : channels) {
                    if (send(true, true, name) == null) {
                        return;
                    }
                }
            } finally {
                commands.unlock();
            }
            if (readyNow) {
                generation.shardReady();
            }
        }

        private void confirm(boolean subscribed, String channel) {
            PendingCommand head = pending.peek();
            if (head == null || head.subscribe != subscribed || !head.channel.equals(channel)) {
                LOG.fine(() -> "unexpected " + (subscribed ? "ssubscribe" : "sunsubscribe") + " confirmation for " + channel);
                return;
            }
            pending.poll();
            head.done.countDown();
            if (head.initial && --initialLeft == 0) {
                generation.shardReady();
            }
        }

        void end() {
            ended = true;
            for (PendingCommand p; (p = pending.poll()) != null; ) {
                p.abandoned = true;
                p.done.countDown();
            }
        }

        /** Ends this generation on purpose, with the reason to report. */
        void abort(String reason) {
            if (failure == null) {
                failure = new IllegalStateException(reason);
            }
            abort();
        }

        void abort() {
            Connection c = connection;
            if (c != null) {
                try {
                    c.close();
                } catch (RuntimeException e) {
                    LOG.log(Level.FINE, "closing a Redis cluster subscriber connection failed", e);
                }
            }
        }
    }
}
