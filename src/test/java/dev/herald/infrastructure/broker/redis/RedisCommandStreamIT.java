package dev.herald.infrastructure.broker.redis;

import dev.herald.application.ClientCommand;
import dev.herald.testing.LocalRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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

    private static LocalRedis redis;

    @BeforeAll
    static void startRedis() throws IOException {
        redis = LocalRedis.start();
    }

    @AfterAll
    static void stopRedis() throws IOException {
        redis.close();
    }

    @Override
    protected String url() {
        return redis.url();
    }

    @Override
    protected boolean cluster() {
        return false;
    }

    @Override
    protected UnifiedJedis redis() {
        return new JedisPooled(redis.url());
    }

    @Test
    void duringARedisOutageCommandsAreLostQuicklyAndAfterItTheyArriveAgain() throws Exception {
        // given
        String stream = newStream();
        try (RedisCommandStream commands = new RedisCommandStream(url(), false, stream, 1000, Clock.systemUTC())) {
            ClientCommand command = RedisCommandStreamTest.command(Optional.empty(), null);
            commands.append(command);
            redis.stop();
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
                redis.ensureRunning();
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
