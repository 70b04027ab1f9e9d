package dev.herald.infrastructure.redis;

import dev.herald.testing.ManualTicker;
import dev.herald.testing.SilentRedis;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What shared-state commands do when Redis does not answer. */
class RedisCommandsTest {

    /** Far above the connect and reply timeouts: only a hang fails it. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(30);

    @ParameterizedTest(name = "cluster: {0}")
    @ValueSource(booleans = {false, true})
    void afterAFailureCallsAreRefusedWithoutTryingRedisUntilThePauseEnds(boolean cluster) throws Exception {
        // given: a Redis that accepts connections and never answers, and a pause that lasts until the test ends it
        ManualTicker ticker = new ManualTicker();
        AtomicInteger worked = new AtomicInteger();
        try (SilentRedis redis = new SilentRedis();
             RedisCommands commands = new RedisCommands(redis.url(), cluster, "herald-state", RedisCommands.TIMEOUT, ticker)) {
            // when: the first call gives up on its own, as Redis never answers
            Optional<String> first = assertTimeoutPreemptively(HANG_GUARD,
                    () -> commands.call("reading", jedis -> { worked.incrementAndGet(); return jedis.get("k"); }));
            int triedFirst = redis.connectionsSoFar().size();
            int workedFirst = worked.get();
            for (int i = 0; i < 100; i++) {
                assertEquals(Optional.empty(), commands.call("reading", jedis -> { worked.incrementAndGet(); return jedis.get("k"); }));
            }

            // then: the first call tried Redis; the 100 after it, in the pause, neither ran nor connected
            assertEquals(Optional.empty(), first);
            assertTrue(triedFirst > 0, "the first call tried Redis");
            assertEquals(0, redis.connectionsSoFar().size() - triedFirst, "connections opened by 100 calls during the pause");
            assertEquals(workedFirst, worked.get(), "calls run during the pause");
            assertTrue(commands.paused());

            // and when the pause is over, the next call tries again
            ticker.advance(RedisCommands.PAUSE);
            assertFalse(commands.paused());
            assertTimeoutPreemptively(HANG_GUARD, () -> commands.call("reading", jedis -> jedis.get("k")));
            assertTrue(redis.connectionsSoFar().size() > triedFirst, "the call after the pause tried Redis again");
        }
    }
}
