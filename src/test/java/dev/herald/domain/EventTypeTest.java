package dev.herald.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventTypeTest {

    @ParameterizedTest
    @ValueSource(strings = {"agent_message", "threat.detected", "a", "Z9", "iteration:cancelled", "x-y",
            "Auth", "welcomeX", "event_"})
    void acceptsNamesMatchingThePattern(String value) {
        // when
        EventType type = new EventType(value);

        // then
        assertEquals(value, type.value());
        assertEquals(value, type.toString());
    }

    @Test
    void acceptsUpTo64Characters() {
        String max = "a".repeat(64);
        assertEquals(max, new EventType(max).value());
        assertThrows(IllegalArgumentException.class, () -> new EventType(max + "a"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1abc", "_x", ".x", "-x", "has space", "slash/no", "é", "a\n", "quote\""})
    void refusesNamesOutsideThePattern(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new EventType(value));
        assertTrue(e.getMessage().startsWith("invalid event type"), e.getMessage());
    }

    @Test
    void refusesNull() {
        assertThrows(IllegalArgumentException.class, () -> new EventType(null));
    }

    static Stream<String> reserved() {
        return EventType.RESERVED.stream();
    }

    @ParameterizedTest
    @MethodSource("reserved")
    void refusesEveryReservedFrameType(String frameType) {
        // when
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new EventType(frameType));

        // then
        assertTrue(e.getMessage().startsWith("reserved event type"), e.getMessage());
        assertTrue(EventType.isReserved(frameType));
    }

    @Test
    void reservesTheProtocolControlFrames() {
        for (String name : new String[] {"auth", "welcome", "subscribe", "subscribed", "unsubscribe",
                "unsubscribed", "ack", "ping", "pong", "publish", "published", "command", "accepted", "error",
                "refreshed"}) {
            assertTrue(EventType.isReserved(name), name);
        }
        assertFalse(EventType.isReserved("agent_message"));
        assertFalse(EventType.isReserved("Error"), "reservation is case-sensitive, as frame types are");
    }

    @Test
    void equalValuesAreEqual() {
        assertEquals(new EventType("a.b"), new EventType("a.b"));
        assertEquals(new EventType("a.b").hashCode(), new EventType("a.b").hashCode());
    }
}
