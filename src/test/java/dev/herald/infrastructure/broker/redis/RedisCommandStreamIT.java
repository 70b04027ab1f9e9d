package dev.herald.infrastructure.broker.redis;

import dev.herald.application.ClientCommand;
import dev.herald.testing.LocalRedis;
import dev.herald.testing.PerClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.UnifiedJedis;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
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
    void duringARedisOutageCommandsAreLostQuicklyAndAfterItTheyArriveAgain() throws Exception {
        // given
        String stream = newStream();
        try (RedisCommandStream commands = new RedisCommandStream(url(), false, stream, 1000, Clock.systemUTC())) {
            ClientCommand command = RedisCommandStreamTest.command(Optional.empty(), null);
            commands.append(command);
            REDIS.get().stop();
            try {
                // when
                long started = System.nanoTime();
                for (int i = 0; i < 50; i++) {
                    assertDoesNotThrow(() -> commands.append(command));
                }
                Duration took = Duration.ofNanos(System.nanoTime() - started);

                // then: the first one waits for the timeout, the rest skip during the pause
                assertTrue(took.compareTo(Duration.ofSeconds(2)) < 0, "50 commands during the outage took " + took);
            } finally {
                REDIS.get().ensureRunning();
            }

            // and once Redis is back (empty: it keeps nothing on disk here) and the pause is over
            long deadline = System.nanoTime() + WAIT.toNanos();
            try (UnifiedJedis jedis = redis()) {
                while (!jedis.exists(stream)) {
                    assertTrue(System.nanoTime() < deadline, "commands did not reach the stream again within " + WAIT);
                    commands.append(command);
                    Thread.sleep(50); // the pause after the failure is one second; each try is one command
                }
            }
        }
    }
}
