package dev.herald.infrastructure.redis;

import java.util.function.LongSupplier;

/** For tests of other packages: {@link RedisCommands} on a ticker the test moves, and a look at its pause. */
public final class PausableRedisCommands {

    private PausableRedisCommands() {
    }

    public static RedisCommands create(String url, boolean cluster, LongSupplier ticker) {
        return new RedisCommands(url, cluster, "herald-state", RedisCommands.TIMEOUT, ticker);
    }

    /** Whether calls are refused without trying Redis, in the pause after a failure. */
    public static boolean paused(RedisCommands commands) {
        return commands.paused();
    }

    /** How long calls are refused after a failure. */
    public static java.time.Duration pause() {
        return RedisCommands.PAUSE;
    }
}
