package dev.herald.infrastructure.broker.redis;

import dev.herald.application.ClientCommand;
import dev.herald.testing.LocalRedis;
import dev.herald.testing.ManualTicker;
import dev.herald.testing.PerClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.UnifiedJedis;

import java.time.Clock;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command stream on one real redis-server (6.2, from embedded-redis): the command stream
 * contract, then an outage of that server.
 */
class RedisCommandStreamIT extends RedisCommandStreamContract {

    @RegisterExtension
    static final PerClass<LocalRedis> REDIS = new PerClass<>(LocalRedis::start);

    @Override
    protected String url() {
        return REDIS.get().url();
    }

    @Override
    protected boolean cluster() {
        return false;
    }

    @Override
    protected UnifiedJedis redis() {
        return new JedisPooled(REDIS.get().url());
    }

    @Test
    void duringARedisOutageCommandsAreLostWithoutTryingRedisEachTimeAndAfterItTheyArriveAgain() throws Exception {
        // given: the pause after a failure lasts until the test ends it
        String stream = newStream();
        ManualTicker ticker = new ManualTicker();
        try (RedisCommandStream commands = new RedisCommandStream(url(), false, stream, 1000, Clock.systemUTC(), ticker)) {
            ClientCommand command = RedisCommandStreamTest.command(Optional.empty(), null);
            commands.append(command);
            assertFalse(commands.paused(), "no failure yet");
            REDIS.get().stop();
            try {
                // when
                for (int i = 0; i < 50; i++) {
                    assertDoesNotThrow(() -> commands.append(command));
                }

                // then: the first one failed, and the rest are dropped in the pause without trying Redis
                // (RedisCommandStreamTest counts the connections a pause saves)
                assertTrue(commands.paused(), "paused after the failure");
            } finally {
                REDIS.get().ensureRunning();
            }

            // and once Redis is back (empty: it keeps nothing on disk here) and the pause is over
            commands.append(command);
            try (UnifiedJedis jedis = redis()) {
                assertFalse(jedis.exists(stream), "a command in the pause is dropped, even with Redis back");
                ticker.advance(RedisCommandStream.PAUSE);
                commands.append(command);
                assertEquals(1, jedis.xlen(stream), "the first command after the pause reaches the stream");
            }
        }
    }
}
