package dev.herald.infrastructure.redis;

import redis.clients.jedis.PipelineBase;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.exceptions.JedisRedirectionException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script run by its SHA-1, so Redis receives its text only once per node: again after a
 * restart or a failover forgot it. Every script here touches the one key it is given, so on a Redis
 * Cluster it runs on the master owning that key.
 */
public final class RedisScript {

    /**
     * KEYS[1] a sorted set whose scores are expiry times in Redis's own clock (milliseconds):
     * removes the expired members and returns the others. Presence and the per-user connection
     * directory both keep their entries this way, so a crashed instance's entries simply expire.
     */
    public static final RedisScript LIVE_MEMBERS = new RedisScript("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            return redis.call('ZRANGE', KEYS[1], 0, -1)
            """);

    /** One run of a script: its keys and arguments. */
    public record Run(List<String> keys, List<String> args) {
    }

    private final String text;
    private final String sha;

    public RedisScript(String text) {
        this.text = text;
        try {
            this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every Java runtime", e);
        }
    }

    /** Runs the script where its key lives (a cluster client routes EVALSHA by its keys). */
    public Object eval(UnifiedJedis jedis, List<String> keys, List<String> args) {
        try {
            return jedis.evalsha(sha, keys, args);
        } catch (JedisNoScriptException e) {
            return jedis.eval(text, keys, args);
        }
    }

    /**
     * Runs the script once per run, all in one pipeline (on a cluster one per master, each run sent
     * to the master owning its key), and returns the replies in the order of the runs. Runs the
     * pipeline could not complete there are run again one by one, which loads the script or follows
     * the slot: a node that does not know the script yet (NOSCRIPT after a restart or a failover),
     * and on a cluster a key whose slot moved since the client last read the slot map (MOVED, ASK).
     */
    public List<Object> evalAll(UnifiedJedis jedis, List<Run> runs) {
        List<Response<Object>> answers = new ArrayList<>(runs.size());
        try (PipelineBase pipeline = jedis.pipelined()) {
            for (Run run : runs) {
                answers.add(pipeline.evalsha(sha, run.keys(), run.args()));
            }
            pipeline.sync();
        }
        List<Object> replies = new ArrayList<>(runs.size());
        for (int i = 0; i < runs.size(); i++) {
            Object reply;
            try {
                reply = answers.get(i).get();
            } catch (JedisNoScriptException | JedisRedirectionException e) {
                reply = eval(jedis, runs.get(i).keys(), runs.get(i).args());
            }
            replies.add(reply);
        }
        return replies;
    }
}
