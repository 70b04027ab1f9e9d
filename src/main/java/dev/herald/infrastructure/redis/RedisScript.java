package dev.herald.infrastructure.redis;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisNoScriptException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script run by its SHA-1, so Redis receives its text only once: again after a Redis
 * restart forgot it.
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

    public Object eval(Jedis jedis, List<String> keys, List<String> args) {
        try {
            return jedis.evalsha(sha, keys, args);
        } catch (JedisNoScriptException e) {
            return jedis.eval(text, keys, args);
        }
    }

    /** Makes sure Redis knows the script before a pipeline runs it by SHA. */
    public void load(Jedis jedis) {
        jedis.scriptLoad(text);
    }

    /** Queues a run on a pipeline; call {@link #load} on its connection first. */
    public Response<Object> eval(Pipeline pipeline, List<String> keys, List<String> args) {
        return pipeline.evalsha(sha, keys, args);
    }
}
