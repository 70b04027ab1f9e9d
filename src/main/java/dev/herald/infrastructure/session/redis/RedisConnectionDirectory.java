package dev.herald.infrastructure.session.redis;

import dev.herald.application.JsonData;
import dev.herald.application.session.ConnectionDirectory;
import dev.herald.application.session.ConnectionEntry;
import dev.herald.application.session.InstanceId;
import dev.herald.infrastructure.broker.redis.LogThrottle;
import dev.herald.infrastructure.redis.ControlChannel;
import dev.herald.infrastructure.redis.RedisCommands;
import dev.herald.infrastructure.redis.RedisScript;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import redis.clients.jedis.PipelineBase;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The connection directory of many instances, kept in Redis.
 *
 * <p>Redis layout, for operators and tools:
 * <ul>
 *   <li>{@code herald:user:<sub>:conns}: a sorted set per user, one member per connection,
 *       {@code <connected at, epoch ms, 13 digits>|<instance id>|<connection id>}, scored by the time
 *       the entry expires (epoch ms by Redis's own clock, so instances need not agree on the time).
 *       The fixed-width prefix makes the members sort oldest first. The key itself expires one time
 *       to live after its last write, so a user with no live connection leaves nothing behind.
 *       One key per user, so on a Redis Cluster each user's set lives on one master and every
 *       script runs there.</li>
 *   <li>An eviction is announced on the {@link ControlChannel control channel} {@code herald:control} as
 *       {@code {"type":"evict","instance":"<id>","connection":"<id>"}}; every instance receives it and
 *       the one named closes the connection with 4008.</li>
 * </ul>
 *
 * <p>Every write is one script: drop the expired members, add (or renew) one, and remove the oldest
 * beyond the limit. The instance that ran it then announces the eviction of each removed member
 * another instance holds. A registration
 * protects its own member; a renewal does not. Each instance renews all its members every refresh
 * interval, which is what makes the guarantees of the port hold: a crashed instance's members
 * expire; a restarted, empty Redis gets every live member back; and an instance that missed an
 * eviction message re-adds its evicted connection, finds it the oldest beyond the limit again, and
 * closes it itself.
 *
 * <p>This instance's connections are also kept here, for the renewals and for the fallback: when
 * Redis cannot be reached, a registration applies the limit to this instance's connections only.
 */
public final class RedisConnectionDirectory implements ConnectionDirectory, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RedisConnectionDirectory.class.getName());
    private static final Duration LOG_INTERVAL = Duration.ofSeconds(30);
    private static final int PIPELINE_BATCH = 500;

    /**
     * KEYS[1] the user's set. ARGV: member, time to live (ms), limit, "1" to protect the member
     * (a registration) or "0" (a renewal). Returns the evicted members, oldest first. It announces
     * nothing itself: on a Redis Cluster a script may only touch its own key's slot, and the
     * control channel is elsewhere.
     */
    static final RedisScript REGISTER = new RedisScript("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local ttl = tonumber(ARGV[2])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
            if redis.call('PTTL', KEYS[1]) < ttl then
              redis.call('PEXPIRE', KEYS[1], ttl)
            end
            local members = redis.call('ZRANGE', KEYS[1], 0, -1)
            local excess = #members - tonumber(ARGV[3])
            local evicted = {}
            if excess <= 0 then
              return evicted
            end
            table.sort(members)
            for _, m in ipairs(members) do
              if excess == 0 then
                break
              end
              if ARGV[4] ~= '1' or m ~= ARGV[1] then
                redis.call('ZREM', KEYS[1], m)
                evicted[#evicted + 1] = m
                excess = excess - 1
              end
            end
            return evicted
            """);


    private final RedisCommands redis;
    private final ControlChannel control;
    private final InstanceId instance;
    private final int limit;
    private final String ttlMillis;
    private final Executor executor;
    /** This instance's registered connections, by connection id. */
    private final Map<String, Local> local = new ConcurrentHashMap<>();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final LogThrottle fallbackLog = new LogThrottle(LOG_INTERVAL);
    private final LogThrottle malformedLog = new LogThrottle(LOG_INTERVAL);
    private volatile Listener listener = connectionId -> { };

    private record Local(String user, ConnectionEntry entry, String member) {
    }

    /**
     * @param control  where evictions of other instances' connections are announced; its messages
     *                 go to {@link #onControl}
     * @param limit    connections per user; zero records nothing and never evicts
     * @param ttl      how long an entry counts without renewal
     * @param executor closes the connections other instances evicted, off the broker's loop thread
     */
    public RedisConnectionDirectory(RedisCommands redis, ControlChannel control, InstanceId instance, int limit,
                                    Duration ttl, Executor executor) {
        this.redis = redis;
        this.control = control;
        this.instance = instance;
        this.limit = limit;
        this.ttlMillis = Long.toString(ttl.toMillis());
        this.executor = executor;
    }

    /** The Redis key of a user's connections. */
    public static String key(String user) {
        return "herald:user:" + user + ":conns";
    }

    /** The set member of a connection: sorts by connect time, then instance, then connection id. */
    static String member(Instant connectedAt, InstanceId instance, String connectionId) {
        // Locale.ROOT: ASCII digits whatever the JVM's locale, as the script's pattern expects.
        return String.format(Locale.ROOT, "%013d|%s|%s", connectedAt.toEpochMilli(), instance.value(), connectionId);
    }

    @Override
    public void listen(Listener listener) {
        this.listener = listener;
    }

    @Override
    public List<ConnectionEntry> register(String user, String connectionId, Instant connectedAt) {
        if (limit <= 0) {
            return List.of();
        }
        ConnectionEntry entry = new ConnectionEntry(instance, connectionId, connectedAt);
        Local mine = new Local(user, entry, member(connectedAt, instance, connectionId));
        local.put(connectionId, mine);
        Optional<List<String>> evicted = redis.call("registering a connection of " + user,
                jedis -> strings(REGISTER.eval(jedis, List.of(key(user)), args(mine.member(), true))));
        if (evicted.isPresent()) {
            return evicted(evicted.get());
        }
        long held = fallbackLog.pass();
        if (held >= 0) {
            LOG.warning(() -> "Redis at " + redis + " is unreachable: the per-user connection limit holds for this instance's"
                    + " connections only until it is back (" + held + " more registrations since the last report)");
        }
        List<ConnectionEntry> mineOfUser = local.values().stream()
                .filter(l -> l.user().equals(user)).map(Local::entry).toList();
        List<ConnectionEntry> excess = ConnectionDirectory.excess(mineOfUser, limit, connectionId);
        excess.forEach(e -> evictLocal(e.connectionId()));
        return excess;
    }

    @Override
    public void unregister(String user, String connectionId) {
        Local mine = local.get(connectionId);
        if (mine != null && mine.user().equals(user) && local.remove(connectionId, mine)) {
            // Not written during an outage: the entry then expires within the time to live.
            redis.call("unregistering a connection of " + user, jedis -> jedis.zrem(key(mine.user()), mine.member()));
        }
    }

    @Override
    public List<ConnectionEntry> connections(String user) {
        Optional<List<String>> members = redis.call("reading the connections of " + user,
                jedis -> strings(RedisScript.LIVE_MEMBERS.eval(jedis, List.of(key(user)), List.of())));
        List<ConnectionEntry> entries = members.map(RedisConnectionDirectory::entries)
                .orElseGet(() -> local.values().stream().filter(l -> l.user().equals(user)).map(Local::entry).toList());
        return entries.stream().sorted(ConnectionDirectory.OLDEST_FIRST).toList();
    }

    /** Renews every entry of this instance and applies the limit again; one pipeline per batch (per master on a cluster). */
    @Override
    public void refresh() {
        if (limit <= 0 || local.isEmpty() || !refreshing.compareAndSet(false, true)) {
            return;
        }
        try {
            List<Local> snapshot = List.copyOf(local.values());
            List<String> evicted = new ArrayList<>();
            for (int from = 0; from < snapshot.size(); from += PIPELINE_BATCH) {
                List<Local> batch = snapshot.subList(from, Math.min(snapshot.size(), from + PIPELINE_BATCH));
                Optional<List<String>> done = redis.call("renewing " + batch.size() + " connections", jedis -> {
                    List<RedisScript.Run> runs = batch.stream()
                            .map(l -> new RedisScript.Run(List.of(key(l.user())), args(l.member(), false))).toList();
                    List<String> out = new ArrayList<>();
                    REGISTER.evalAll(jedis, runs).forEach(reply -> out.addAll(strings(reply)));
                    return out;
                });
                if (done.isEmpty()) {
                    break;
                }
                evicted.addAll(done.get());
            }
            // A connection that closed while its renewal was on the way may have been added back.
            List<Local> closed = snapshot.stream().filter(l -> local.get(l.entry().connectionId()) != l).toList();
            if (!closed.isEmpty()) {
                redis.call("removing " + closed.size() + " closed connections", jedis -> {
                    try (PipelineBase pipeline = jedis.pipelined()) {
                        closed.forEach(l -> pipeline.zrem(key(l.user()), l.member()));
                        pipeline.sync();
                    }
                    return Boolean.TRUE;
                });
            }
            evicted(evicted);
        } finally {
            refreshing.set(false);
        }
    }

    /**
     * A message on the control channel, on the broker's loop thread: closes the connection an
     * eviction names when this instance holds it.
     */
    public void onControl(String message) {
        if (!message.contains("\"evict\"")) {
            return; // another kind of control message (audit, admin orders): not ours
        }
        Optional<JsonObject> parsed = JsonData.object(message);
        if (parsed.isEmpty()) {
            if (malformedLog.pass() >= 0) {
                LOG.warning("skipped a control message that is not one JSON object");
            }
            return;
        }
        JsonObject json = parsed.get();
        if (!"evict".equals(json.getString("type", null)) || !instance.value().equals(json.getString("instance", null))) {
            return;
        }
        String connectionId = json.getString("connection", null);
        if (connectionId == null) {
            return;
        }
        try {
            executor.execute(() -> evictLocal(connectionId));
        } catch (RejectedExecutionException e) {
            evictLocal(connectionId);
        }
    }

    /** Removes every entry of this instance from Redis, so a stopped instance's connections stop counting at once. */
    @Override
    public void close() {
        List<Local> all = List.copyOf(local.values());
        local.clear();
        if (all.isEmpty()) {
            return;
        }
        redis.call("removing this instance's connections", jedis -> {
            try (PipelineBase pipeline = jedis.pipelined()) {
                all.forEach(l -> pipeline.zrem(key(l.user()), l.member()));
                pipeline.sync();
            }
            return Boolean.TRUE;
        });
    }

    private List<String> args(String member, boolean protect) {
        return List.of(member, ttlMillis, Integer.toString(limit), protect ? "1" : "0");
    }

    /** Reports evicted members: this instance's to its listener, the others' on the control channel. */
    private List<ConnectionEntry> evicted(List<String> members) {
        List<ConnectionEntry> entries = entries(members);
        for (ConnectionEntry e : entries) {
            if (e.instance().equals(instance)) {
                evictLocal(e.connectionId());
            } else {
                control.sendControl(Json.createObjectBuilder().add("type", "evict").add("instance", e.instance().value())
                        .add("connection", e.connectionId()).build().toString());
            }
        }
        return entries;
    }

    private static List<ConnectionEntry> entries(List<String> members) {
        List<ConnectionEntry> entries = new ArrayList<>(members.size());
        for (String member : members) {
            String[] parts = member.split("\\|", 3);
            try {
                entries.add(new ConnectionEntry(new InstanceId(parts[1]), parts[2], Instant.ofEpochMilli(Long.parseLong(parts[0]))));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "skipped a malformed connection entry in Redis: " + member, e);
            }
        }
        return entries;
    }

    private void evictLocal(String connectionId) {
        local.remove(connectionId);
        listener.evicted(connectionId);
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object reply) {
        return reply instanceof List<?> list ? (List<String>) list : List.of();
    }

    @Override
    public String toString() {
        return "connections in Redis at " + redis + ", at most " + (limit == 0 ? "any number" : Integer.toString(limit))
                + " per user";
    }
}
