package dev.herald.infrastructure.broker.redis;

import dev.herald.application.ClientCommand;
import dev.herald.application.security.Principal;
import dev.herald.domain.ChannelName;
import dev.herald.testing.ManualTicker;
import dev.herald.testing.SilentRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command stream's entry format, and what it does without a Redis to talk to. */
class RedisCommandStreamTest {

    /** Far above the connect and reply timeouts: only a hang fails it. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(30);

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-01T09:30:00.125678Z"), ZoneOffset.UTC);

    static ClientCommand command(Optional<String> tenant, String ref) {
        Principal alice = new Principal("alice", tenant, Set.of("viewer"), List.of(), List.of(), Instant.now().plusSeconds(3600));
        return new ClientCommand("Zk0b1yW3pQe7LmHs", alice, ChannelName.of("diagnosis", "42"), "cancel", "{\"iteration\":3}", ref);
    }

    @Test
    void anEntryHoldsTheDocumentedFieldsInOrder() {
        // when
        Map<String, String> fields = RedisCommandStream.fields(command(Optional.of("acme"), "c1"), CLOCK);

        // then
        assertEquals(List.of("connectionId", "user", "tenant", "channel", "name", "data", "ref", "ts"), List.copyOf(fields.keySet()));
        assertEquals("Zk0b1yW3pQe7LmHs", fields.get("connectionId"));
        assertEquals("alice", fields.get("user"));
        assertEquals("acme", fields.get("tenant"));
        assertEquals("diagnosis:42", fields.get("channel"));
        assertEquals("cancel", fields.get("name"));
        assertEquals("{\"iteration\":3}", fields.get("data"));
        assertEquals("c1", fields.get("ref"));
        assertEquals("2025-06-01T09:30:00.125Z", fields.get("ts"), "milliseconds, as in event frames");
    }

    @Test
    void tenantAndRefAreLeftOutWhenAbsent() {
        Map<String, String> fields = RedisCommandStream.fields(command(Optional.empty(), null), CLOCK);

        assertEquals(List.of("connectionId", "user", "channel", "name", "data", "ts"), List.copyOf(fields.keySet()));
    }

    @ParameterizedTest(name = "cluster: {0}")
    @ValueSource(booleans = {false, true})
    void anUnreachableRedisNeitherFailsNorHoldsUpCommands(boolean cluster) throws Exception {
        // given: a Redis that accepts connections and never answers, and a pause that lasts until the test ends it
        ManualTicker ticker = new ManualTicker();
        try (SilentRedis redis = new SilentRedis();
             RedisCommandStream stream = new RedisCommandStream(redis.url(), cluster, "herald:commands", 100, CLOCK, ticker)) {
            // when: the first command gives up on its own, as Redis never answers
            assertTimeoutPreemptively(HANG_GUARD, () -> stream.append(command(Optional.empty(), null)));
            int triedFirst = redis.connectionsSoFar().size();
            for (int i = 0; i < 100; i++) {
                assertDoesNotThrow(() -> stream.append(command(Optional.empty(), null)));
            }
            int triedDuringPause = redis.connectionsSoFar().size() - triedFirst;

            // then: the first command tried Redis; the 100 after it, in the pause, did not
            assertTrue(triedFirst > 0, "the first command tried Redis");
            assertEquals(0, triedDuringPause, "connections opened by 100 commands during the pause");
            assertTrue(stream.paused());

            // and when the pause is over, the next command tries again
            ticker.advance(RedisCommandStream.PAUSE);
            assertFalse(stream.paused());
            assertTimeoutPreemptively(HANG_GUARD, () -> stream.append(command(Optional.empty(), null)));
            assertTrue(redis.connectionsSoFar().size() > triedFirst, "the command after the pause tried Redis again");
        }
    }

    @Test
    void aMalformedUrlIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RedisCommandStream("localhost:6379", false, "s", 1, CLOCK));
    }

    @Test
    void itsDescriptionHidesThePassword() {
        try (RedisCommandStream stream = new RedisCommandStream("redis://:pa55word@127.0.0.1:6390", false, "herald:commands", 1, CLOCK)) {
            assertEquals("Redis stream herald:commands at redis://127.0.0.1:6390", stream.toString());
        }
    }
}
