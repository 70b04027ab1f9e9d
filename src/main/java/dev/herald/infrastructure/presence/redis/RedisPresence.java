package dev.herald.infrastructure.presence.redis;

import dev.herald.application.presence.Presence;
import dev.herald.application.presence.PresenceUnavailableException;
import dev.herald.application.presence.PresentUser;
import dev.herald.application.session.InstanceId;
import dev.herald.infrastructure.redis.RedisCommands;
import dev.herald.infrastructure.redis.RedisScript;
import dev.herald.domain.ChannelName;
import redis.clients.jedis.PipelineBase;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Presence of many instances, kept in Redis.
 *
 * <p>Redis layout, for operators and tools: {@code herald:presence:<channel>} is a sorted set with
 * one member per subscribed connection, {@code <instance id>|<connection id>|<user>} (the user last,
 * because a {@code sub} may itself contain {@code |}), scored by the time the entry expires (epoch
 * ms by Redis's own clock). The key expires one time to live after its last write. A read first
 * removes the expired members, then lists the rest. One key per channel, so on a Redis Cluster a
 * channel's presence lives on one master and its scripts run there.
 *
 * <p>Each instance keeps its own entries here and renews them all every refresh interval, so a
 * crashed instance's entries expire, a restarted Redis gets every live entry back, and a join that
 * could not be written during an outage is written by the next renewal.
 */
public final class RedisPresence implements Presence, AutoCloseable {

    private static final int PIPELINE_BATCH = 500;

    /** KEYS[1] the channel's set. ARGV: member, time to live (ms). Adds or renews the member. */
    static final RedisScript JOIN = new RedisScript("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local ttl = tonumber(ARGV[2])
            redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
            if redis.call('PTTL', KEYS[1]) < ttl then
              redis.call('PEXPIRE', KEYS[1], ttl)
            end
            return 1
            """);


    private final RedisCommands redis;
    private final InstanceId instance;
    private final String ttlMillis;
    /** This instance's entries. */
    private final Set<Entry> local = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean refreshing = new AtomicBoolean();

    private record Entry(ChannelName channel, String user, String connectionId) {
    }

    /** @param ttl how long an entry lives without renewal */
    public RedisPresence(RedisCommands redis, InstanceId instance, Duration ttl) {
        this.redis = redis;
        this.instance = instance;
        this.ttlMillis = Long.toString(ttl.toMillis());
    }

    /** The Redis key of a channel's presence. */
    public static String key(ChannelName channel) {
        return "herald:presence:" + channel.value();
    }

    private String member(Entry e) {
        return instance.value() + "|" + e.connectionId() + "|" + e.user();
    }

    @Override
    public void join(ChannelName channel, String user, String connectionId) {
        Entry e = new Entry(channel, user, connectionId);
        local.add(e);
        redis.call("joining presence of " + channel,
                jedis -> JOIN.eval(jedis, List.of(key(channel)), List.of(member(e), ttlMillis)));
    }

    @Override
    public void leave(ChannelName channel, String user, String connectionId) {
        Entry e = new Entry(channel, user, connectionId);
        if (local.remove(e)) {
            redis.call("leaving presence of " + channel, jedis -> jedis.zrem(key(channel), member(e)));
        }
    }

    @Override
    public List<PresentUser> of(ChannelName channel) {
        Optional<Object> members = redis.call("reading presence of " + channel,
                jedis -> RedisScript.LIVE_MEMBERS.eval(jedis, List.of(key(channel)), List.of()));
        if (members.isEmpty() || !(members.get() instanceof List<?> list)) {
            throw new PresenceUnavailableException("Redis at " + redis + " is unreachable");
        }
        Map<String, Integer> counts = new TreeMap<>();
        for (Object member : list) {
            String[] parts = String.valueOf(member).split("\\|", 3);
            if (parts.length == 3) {
                counts.merge(parts[2], 1, Integer::sum);
            }
        }
        return counts.entrySet().stream().map(c -> new PresentUser(c.getKey(), c.getValue())).toList();
    }

    /** Renews every entry of this instance; one pipeline per batch (per master on a cluster). */
    @Override
    public void refresh() {
        if (local.isEmpty() || !refreshing.compareAndSet(false, true)) {
            return;
        }
        try {
            List<Entry> snapshot = List.copyOf(local);
            for (int from = 0; from < snapshot.size(); from += PIPELINE_BATCH) {
                List<Entry> batch = snapshot.subList(from, Math.min(snapshot.size(), from + PIPELINE_BATCH));
                boolean done = redis.call("renewing " + batch.size() + " presence entries", jedis -> JOIN.evalAll(jedis,
                        batch.stream().map(e -> new RedisScript.Run(List.of(key(e.channel())), List.of(member(e), ttlMillis))).toList())
                ).isPresent();
                if (!done) {
                    break;
                }
            }
            // An entry that left while its renewal was on the way may have been added back.
            remove(snapshot.stream().filter(e -> !local.contains(e)).toList());
        } finally {
            refreshing.set(false);
        }
    }

    /** Removes every entry of this instance from Redis, so a stopped instance's subscribers vanish at once. */
    @Override
    public void close() {
        List<Entry> all = new ArrayList<>(local);
        local.clear();
        remove(all);
    }

    private void remove(List<Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        redis.call("removing " + entries.size() + " presence entries", jedis -> {
            try (PipelineBase pipeline = jedis.pipelined()) {
                entries.forEach(e -> pipeline.zrem(key(e.channel()), member(e)));
                pipeline.sync();
            }
            return Boolean.TRUE;
        });
    }

    @Override
    public String toString() {
        return "presence in Redis at " + redis;
    }
}
