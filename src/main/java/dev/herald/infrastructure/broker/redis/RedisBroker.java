package dev.herald.infrastructure.broker.redis;

import dev.herald.application.broker.Broker;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.infrastructure.redis.ControlChannel;
import dev.herald.infrastructure.redis.RedisEndpoint;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPubSub;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The broker of many instances: Redis pub/sub, one Redis channel per Herald channel.
 *
 * <p>Guarantee (the port's): while connected, an event published after {@link #subscribe} returned
 * reaches every subscribed instance at most once, in no promised order. Redis pub/sub keeps nothing:
 * what is published while an instance is disconnected never reaches it, so the broker only reports
 * the outage ({@link #isConnected()}) and the reconnect ({@link Listener#onResubscribed()}) and the
 * hub fills the gap from the store.
 *
 * <p>Wire format, for tools in other languages: Herald channel {@code ns:id} is the Redis channel
 * {@code herald:ch:ns:id}; each message is one event as compact JSON (see {@link RedisEventCodec}).
 * {@code herald:control} is subscribed by every instance and carries messages between instances,
 * handed as they are to the {@link #onControl control listener} (the connection directory's
 * evictions). Only Herald should publish on {@code herald:ch:*}: an event that is not in the store
 * breaks the numbering that clients rely on; other programs may subscribe freely. Redis pub/sub
 * ignores the database number, so two Herald deployments on one Redis share their channels: give
 * each its own Redis.
 *
 * <p>One connection per instance holds the subscription, in a loop on the executor it is given;
 * publishing borrows from a small pool. Commands on the subscriber connection (subscribe,
 * unsubscribe, ping) are written from the callers' threads under one lock, and Redis answers them
 * in order, which is how a {@code subscribe} finds its own confirmation.
 */
public class RedisBroker implements Broker, ControlChannel, AutoCloseable {

    /** Prefix of the Redis channel of every Herald channel. */
    public static final String CHANNEL_PREFIX = "herald:ch:";
    /** Held by every instance so the subscription stays open with no Herald channel active. */
    public static final String CONTROL_CHANNEL = "herald:control";

    private static final Logger LOG = Logger.getLogger(RedisBroker.class.getName());

    private static final int POOL_SIZE = 8;
    /**
     * Connect and reply limit of every command, and how long a publish waits for a pooled
     * connection: a published event is already stored, so giving up early loses nothing.
     */
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(1);
    /** After a failed publish, later ones are skipped this long instead of each waiting for Redis. */
    private static final Duration PUBLISH_PAUSE = Duration.ofSeconds(1);
    private static final Duration SUBSCRIBE_WAIT = Duration.ofSeconds(5);
    private static final Duration BACKOFF_BASE = Duration.ofMillis(100);
    private static final Duration BACKOFF_CAP = Duration.ofSeconds(5);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
    private static final Duration LOG_INTERVAL = Duration.ofSeconds(5);
    private static final Duration OUTAGE_LOG_INTERVAL = Duration.ofSeconds(30);

    /**
     * How the subscriber connection is checked. Pings keep a healthy connection talking; a
     * connection silent for longer than {@code silenceLimit} counts as dead. Without this a
     * half-open TCP connection (Redis host gone without a FIN) would look connected forever.
     */
    record Liveness(Duration pingInterval, Duration silenceLimit) {
        static final Liveness DEFAULT = new Liveness(Duration.ofSeconds(2), Duration.ofSeconds(7));

        Liveness {
            if (silenceLimit.compareTo(pingInterval.multipliedBy(2)) < 0) {
                throw new IllegalArgumentException("the silence limit must cover at least two ping intervals");
            }
        }
    }

    private final Liveness liveness;
    private final String description;
    private final HostAndPort address;
    private final JedisClientConfig subscriberConfig;
    private final JedisPool pool;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;

    private final Set<ChannelName> wanted = ConcurrentHashMap.newKeySet();
    /**
     * Serialises every write on the subscriber connection (Jedis connections are not thread-safe)
     * and makes each change of {@link #wanted} and its command one step, so that the last command
     * Redis sees for a channel matches the last change, however subscribe and unsubscribe race.
     */
    private final ReentrantLock commands = new ReentrantLock();
    private final Inbox inbox;
    /** The current connection attempt; null between attempts. Replaced only under {@link #commands}. */
    private volatile Session session;

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
     * @param url       {@code redis://[[user]:password@]host[:port][/database]}, or {@code rediss://} for TLS
     * @param executor  runs the subscription loop (for as long as the broker is open) and the
     *                  listener's {@code onResubscribed}
     * @param scheduler sends the pings that keep the subscriber connection checked
     * @throws IllegalArgumentException when the URL is not a Redis URL
     */
    public RedisBroker(String url, Executor executor, ScheduledExecutorService scheduler) {
        this(url, executor, scheduler, Liveness.DEFAULT);
    }

    RedisBroker(String url, Executor executor, ScheduledExecutorService scheduler, Liveness liveness) {
        RedisEndpoint endpoint = RedisEndpoint.parse(url);
        this.liveness = liveness;
        this.executor = executor;
        this.inbox = new Inbox(LOG, wanted, executor);
        this.scheduler = scheduler;
        this.address = endpoint.address();
        this.description = endpoint.toString();
        this.subscriberConfig = endpoint.clientConfig(PUBLISH_TIMEOUT, "herald-subscriber")
                .blockingSocketTimeoutMillis((int) liveness.silenceLimit().toMillis())
                .build();
        this.pool = endpoint.pool(POOL_SIZE, PUBLISH_TIMEOUT, "herald-publisher");
    }

    /** The Redis channel that carries a Herald channel's events. */
    public static String redisChannel(ChannelName channel) {
        return CHANNEL_PREFIX + channel.value();
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

    /**
     * Sets the one receiver of the messages published on {@link #CONTROL_CHANNEL}. It runs on the
     * subscription loop's thread, so it must hand anything slow to another thread.
     */
    @Override
    public void onControl(Consumer<String> listener) {
        inbox.onControl(listener);
    }

    /** PUBLISHes on {@link #CONTROL_CHANNEL}; skipped, like events, in the pause after a failed publish. */
    @Override
    public void sendControl(String message) {
        if (closed.get()) {
            return;
        }
        if (System.nanoTime() - publishesPausedUntil >= 0) {
            try (Jedis jedis = pool.getResource()) {
                jedis.publish(CONTROL_CHANNEL, message);
                return;
            } catch (RuntimeException e) {
                publishesPausedUntil = System.nanoTime() + PUBLISH_PAUSE.toNanos();
            }
        }
        long held = lostControlLog.pass();
        if (held >= 0) {
            LOG.warning(() -> "a control message did not reach Redis at " + description + " (" + held
                    + " more since the last report); the other instances repair what it said at their next renewal");
        }
    }

    @Override
    public boolean isConnected() {
        Session s = session;
        return s != null && s.ready && !s.ended;
    }

    @Override
    public void publish(Event event) {
        if (closed.get()) {
            return;
        }
        // Trying Redis for every publish during an outage would make each one wait for a timeout;
        // the event is stored, and receivers read the store while the broker is disconnected.
        Session s = session;
        if (s == null || !s.writable || s.ended || System.nanoTime() - publishesPausedUntil < 0) {
            long held = skippedLog.pass();
            if (held >= 0) {
                LOG.info(() -> "Redis at " + description + " is unreachable: publishes are skipped (" + (held + 1)
                        + " since the last report); receivers read the store instead");
            }
            return;
        }
        try (Jedis jedis = pool.getResource()) {
            jedis.publish(redisChannel(event.channel()), RedisEventCodec.encode(event));
        } catch (RuntimeException e) {
            publishesPausedUntil = System.nanoTime() + PUBLISH_PAUSE.toNanos();
            long held = failedPublishLog.pass();
            if (held >= 0) {
                LOG.warning(() -> "publishing " + event.channel() + " " + event.seq() + " to Redis at " + description
                        + " failed (" + e + "); publishes pause for " + PUBLISH_PAUSE.toMillis() + " ms ("
                        + held + " more failures since the last report); the event is stored");
            }
        }
    }

    /**
     * Subscribes on the live connection and waits for Redis to confirm it. Without a connection it
     * only records the channel: the next connection subscribes every recorded channel.
     */
    @Override
    public void subscribe(ChannelName channel) {
        PendingCommand confirmation;
        commands.lock();
        try {
            wanted.add(channel);
            Session s = session;
            if (closed.get() || s == null || !s.writable || s.ended) {
                return;
            }
            confirmation = s.send(true, false, List.of(redisChannel(channel)));
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
            Session s = session;
            if (s != null && s.writable && !s.ended) {
                // Not waited for: messages still arriving for the channel are dropped in deliver().
                s.send(false, false, List.of(redisChannel(channel)));
            }
        } finally {
            commands.unlock();
        }
    }

    /**
     * Ends the subscription and closes the publish pool. Bounded: asks Redis to end the
     * subscription, and if the loop has not stopped within two seconds, closes its socket.
     */
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
            if (commands.tryLock(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                try {
                    Session s = session;
                    if (s != null && s.writable && !s.ended) {
                        s.unsubscribe();
                    }
                } catch (RuntimeException e) {
                    // The socket is already broken; the loop ends on its own.
                } finally {
                    commands.unlock();
                }
            }
            if (loopRunning && !stopped.await(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                Session s = session;
                if (s != null) {
                    s.abort();
                }
                if (!stopped.await(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warning("the Redis subscription loop did not stop within " + 2 * CLOSE_WAIT.toSeconds() + " s");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pool.close();
        }
        LOG.info(() -> "Redis broker for " + description + " closed");
    }

    /** Whether the subscription loop has ended: after {@link #close()}, or if it failed. */
    boolean subscriptionLoopEnded() {
        return stopped.getCount() == 0;
    }

    /** Names the server, never the credentials. */
    @Override
    public String toString() {
        return "Redis pub/sub at " + description;
    }

    // --- the subscription loop ----------------------------------------------------------------

    /** Loop outside subscribe() so that a dropped connection starts a new subscription. */
    private void run() {
        loopRunning = true;
        int attempt = 0;
        int failuresInRow = 0;
        try {
            while (!closed.get() && !Thread.currentThread().isInterrupted()) {
                Session s = new Session(attempt++ > 0);
                commands.lock();
                try {
                    if (closed.get()) {
                        break;
                    }
                    session = s;
                } finally {
                    commands.unlock();
                }
                RuntimeException failure = null;
                try (Jedis jedis = new Jedis(address, subscriberConfig)) {
                    s.jedis = jedis;
                    if (!closed.get()) {
                        jedis.subscribe(s, CONTROL_CHANNEL);
                    }
                } catch (RuntimeException e) {
                    failure = e;
                } finally {
                    s.end();
                }
                if (closed.get()) {
                    break;
                }
                if (s.ready) {
                    failuresInRow = 0;
                }
                reportFailure(s, failure, failuresInRow + 1);
                if (closing.await(backoff(failuresInRow++), TimeUnit.MILLISECONDS)) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.log(Level.SEVERE, "the Redis subscription loop failed; events now arrive only from the store", e);
        } finally {
            if (!closed.get()) {
                LOG.warning("the Redis subscription loop was stopped (interrupted) before the broker was closed");
            }
            stopped.countDown();
        }
    }

    /** Full jitter: a random wait below an exponentially growing, capped bound. */
    static long backoff(int failures) {
        long bound = BACKOFF_BASE.toMillis() << Math.min(failures, 20);
        return ThreadLocalRandom.current().nextLong(Math.min(bound, BACKOFF_CAP.toMillis()) + 1);
    }

    private void reportFailure(Session s, RuntimeException failure, int failuresInRow) {
        String reason = failure == null ? "the subscription ended" : String.valueOf(failure.getMessage());
        if (s.ready) {
            outageLog.reset();
            outageLog.pass();
            LOG.warning(() -> "lost the Redis subscription at " + description + " (" + reason
                    + "); reconnecting with backoff, events arrive from the store meanwhile");
        } else if (outageLog.pass() >= 0) {
            LOG.warning(() -> "cannot subscribe at Redis " + description + " (" + reason + "), "
                    + failuresInRow + " attempts in a row; still trying, events arrive from the store meanwhile");
        } else {
            LOG.fine(() -> "Redis subscription attempt at " + description + " failed: " + reason);
        }
    }

    private void ping() {
        try {
            Session s = session;
            if (s == null || !s.writable || s.ended || !commands.tryLock()) {
                return;
            }
            try {
                if (!s.ended) {
                    s.ping();
                }
            } catch (RuntimeException e) {
                s.abort();
            } finally {
                commands.unlock();
            }
        } catch (RuntimeException e) {
            // A task that throws is never scheduled again; the next ping must still run.
            LOG.log(Level.FINE, "Redis ping failed", e);
        }
    }



    private void resubscribed(Session s) {
        if (s.reconnect) {
            // Idle publish connections may lead to the Redis that went away; start afresh.
            pool.clear();
        }
        s.ready = true;
        skippedLog.reset();
        failedPublishLog.reset();
        if (!s.reconnect) {
            LOG.info(() -> "Redis broker connected to " + description);
            return;
        }
        LOG.info(() -> "Redis subscription at " + description + " restored, " + s.initial + " channels subscribed again");
        inbox.resubscribed();
    }


    /** One subscriber connection, from connecting until it drops or the broker closes. */
    private final class Session extends JedisPubSub {
        final boolean reconnect;
        final Queue<PendingCommand> pending = new ConcurrentLinkedQueue<>();
        volatile Jedis jedis;
        /** Redis confirmed the control channel: commands may be written. */
        volatile boolean writable;
        /** Every channel wanted when the connection opened is confirmed. */
        volatile boolean ready;
        volatile boolean ended;
        /** Loop thread only. */
        int initial;
        private int initialLeft;

        Session(boolean reconnect) {
            this.reconnect = reconnect;
        }

        /** Writes SUBSCRIBE or UNSUBSCRIBE; caller holds {@link #commands}. Returns the last confirmation, null on failure. */
        PendingCommand send(boolean subscribe, boolean initial, List<String> channels) {
            PendingCommand last = null;
            for (String channel : channels) {
                last = new PendingCommand(subscribe, channel, initial);
                pending.add(last);
            }
            try {
                String[] names = channels.toArray(String[]::new);
                if (subscribe) {
                    subscribe(names);
                } else {
                    unsubscribe(names);
                }
                return last;
            } catch (RuntimeException e) {
                // A failed write leaves the connection unusable: drop it so the loop reconnects now.
                abort();
                return null;
            }
        }

        @Override
        public void onSubscribe(String channel, int subscribedChannels) {
            if (!writable && CONTROL_CHANNEL.equals(channel)) {
                opened();
            } else {
                confirm(true, channel);
            }
        }

        @Override
        public void onUnsubscribe(String channel, int subscribedChannels) {
            if (!CONTROL_CHANNEL.equals(channel)) {
                confirm(false, channel);
            }
        }

        @Override
        public void onMessage(String channel, String message) {
            inbox.deliver(channel, message);
        }

        /** The connection is subscribed to the control channel: subscribe everything wanted. */
        private void opened() {
            boolean readyNow;
            commands.lock();
            try {
                if (closed.get()) {
                    unsubscribe();
                    return;
                }
                writable = true;
                List<String> channels = new ArrayList<>(wanted.size());
                for (ChannelName c : wanted) {
                    channels.add(redisChannel(c));
                }
                initial = channels.size();
                initialLeft = initial;
                readyNow = channels.isEmpty();
                if (!readyNow) {
                    send(true, true, channels);
                }
            } finally {
                commands.unlock();
            }
            if (readyNow) {
                resubscribed(this);
            }
        }

        private void confirm(boolean subscribed, String channel) {
            PendingCommand head = pending.peek();
            if (head == null || head.subscribe != subscribed || !head.channel.equals(channel)) {
                LOG.fine(() -> "unexpected " + (subscribed ? "subscribe" : "unsubscribe") + " confirmation for " + channel);
                return;
            }
            pending.poll();
            head.done.countDown();
            if (head.initial && --initialLeft == 0) {
                resubscribed(this);
            }
        }

        /** Caller is the loop, once the connection is gone. */
        void end() {
            commands.lock();
            try {
                ended = true;
                if (session == this) {
                    session = null;
                }
            } finally {
                commands.unlock();
            }
            for (PendingCommand p; (p = pending.poll()) != null; ) {
                p.abandoned = true;
                p.done.countDown();
            }
        }

        /** Closes the socket from any thread; the loop's blocking read then fails at once. */
        void abort() {
            Jedis j = jedis;
            if (j != null) {
                try {
                    j.close();
                } catch (RuntimeException e) {
                    LOG.log(Level.FINE, "closing the Redis subscriber connection failed", e);
                }
            }
        }
    }
}
