package dev.herald.infrastructure.broker.redis;

import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventType;
import dev.herald.domain.Sequence;
import dev.herald.infrastructure.broker.redis.RedisEventCodec.MalformedMessageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedisEventCodecTest {

    private static final ChannelName CHANNEL = ChannelName.of("diagnosis", "42");
    private static final Instant TS = Instant.parse("2025-03-01T12:34:56.789Z");
    private static final String VALID =
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":{\"a\":1}}";

    private static Event event(String data, String correlationId) {
        return new Event(CHANNEL, Sequence.of(7), new EventType("timeline_update"), TS, data, correlationId);
    }

    private static Event roundTrip(Event event) throws MalformedMessageException {
        return RedisEventCodec.decode(RedisEventCodec.encode(event));
    }

    @Test
    void roundTripsEveryKindOfDataExactly() throws Exception {
        // given
        List<String> data = List.of(
                "{\"step\":1,\"title\":\"Collecting logs\"}",
                "[1,2.5,-3e10,1E+2,0.000,true,false,null]",
                "\"a string with \\\"quotes\\\", a \\\\ backslash,\\n a newline and \\u0001\"",
                "\"unicode: é ü 中文 😀 \\u2028 \\ud83d\\ude00\"",
                "{\"nested\":{\"deeper\":[{\"x\":[[],{}]}]},\"empty\":\"\"}",
                "{ \"spaced\" : [ 1 , 2 ] }",
                "12345678901234567890123456789",
                "null",
                "true");

        for (String d : data) {
            // when
            Event decoded = roundTrip(event(d, null));

            // then
            assertEquals(event(d, null), decoded, "data " + d);
            assertEquals(d, decoded.data(), "data text is kept character for character");
        }
    }

    @Test
    void roundTripsCorrelationIdWhenSetAndNullWhenAbsent() throws Exception {
        // given
        Event without = event("{}", null);
        Event with = event("{}", "req-\"1\"\\ é😀\n\t\u0000");

        // when
        String withoutText = RedisEventCodec.encode(without);
        Event withDecoded = roundTrip(with);

        // then
        assertFalse(withoutText.contains("correlationId"), "an absent correlationId is left out");
        assertEquals(without, RedisEventCodec.decode(withoutText));
        assertEquals(with, withDecoded);
        assertEquals("req-\"1\"\\ é😀\n\t\u0000", withDecoded.correlationId());
    }

    @Test
    void roundTripsTimestampsToTheNanosecond() throws Exception {
        for (Instant ts : List.of(Instant.EPOCH, Instant.parse("2025-03-01T12:34:56Z"),
                Instant.parse("2025-03-01T12:34:56.000000001Z"), Instant.parse("1999-12-31T23:59:59.123456Z"))) {
            // given
            Event e = new Event(CHANNEL, Sequence.of(Long.MAX_VALUE), new EventType("a.b:c-d_e"), ts, "1", null);

            // when
            Event decoded = roundTrip(e);

            // then
            assertEquals(e, decoded);
        }
    }

    @Test
    void writesTheDocumentedCompactForm() {
        // when
        String text = RedisEventCodec.encode(event("{\"a\":[1]}", "c1"));

        // then
        assertEquals("{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"timeline_update\",\"ts\":\"2025-03-01T12:34:56.789Z\","
                + "\"data\":{\"a\":[1]},\"correlationId\":\"c1\"}", text);
    }

    @Test
    void acceptsFieldsInAnyOrderWithWhitespaceAndIgnoresUnknownFields() throws Exception {
        // given
        String text = " { \"data\" : [1, {\"k\":\"v\"}] , \"v\":2, \"extra\":{\"x\":[null]}, \"ts\":\"2025-03-01T12:34:56.789Z\","
                + "\"type\":\"step\",\"correlationId\":null,\"seq\":3,\"channel\":\"user:alice@example.com\" }\n";

        // when
        Event e = RedisEventCodec.decode(text);

        // then
        assertEquals(ChannelName.of("user", "alice@example.com"), e.channel());
        assertEquals(Sequence.of(3), e.seq());
        assertEquals("step", e.type().value());
        assertEquals(TS, e.ts());
        assertEquals("[1, {\"k\":\"v\"}]", e.data());
        assertEquals(null, e.correlationId());
    }

    @Test
    void decodesTheValidSampleUsedByTheRejectionCases() throws Exception {
        // The rejections below are this text broken one way each; it must pass when intact.
        assertEquals(Sequence.of(7), RedisEventCodec.decode(VALID).seq());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "   ",
            "not json",
            "[]",
            "\"a string\"",
            "{}",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\"}",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"step\",\"data\":1}",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":1}",
            "{\"channel\":\"diagnosis:42\",\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":1}",
            "{\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":1}",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":{\"a\":1}",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":{\"a\":1}} trailing",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":{\"a\":1}}{}",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":{\"a\":}}",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":{a:1}}",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":[1,]}",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":01}",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":1.}",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":-}",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":tru}",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":\"\\x\"}",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":\"\\u12\"}",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":\"tab\there\"}",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":'single'}",
            "{\"channel\":\"diagnosis\",\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":1}",
            "{\"channel\":42,\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":1}",
            "{\"channel\":\"diagnosis:42\",\"seq\":0,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":1}",
            "{\"channel\":\"diagnosis:42\",\"seq\":-1,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":1}",
            "{\"channel\":\"diagnosis:42\",\"seq\":1.5,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":1}",
            "{\"channel\":\"diagnosis:42\",\"seq\":1e3,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":1}",
            "{\"channel\":\"diagnosis:42\",\"seq\":\"7\",\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":1}",
            "{\"channel\":\"diagnosis:42\",\"seq\":99999999999999999999,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":1}",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"ping\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":1}",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"has space\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":1}",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"step\",\"ts\":\"yesterday\",\"data\":1}",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01 12:34:56\",\"data\":1}",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":1,\"correlationId\":5}",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"seq\":8,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":1}",
            "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":1,}",
            "{\"channel\":\"diagnosis:42\" \"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":1}",
    })
    void rejectsMalformedMessages(String text) {
        // when
        MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> RedisEventCodec.decode(text));

        // then
        assertFalse(e.getMessage().isBlank(), "the reason is given");
    }

    @Test
    void rejectsNullAndDataNestedTooDeep() {
        // given
        String deep = "[".repeat(1000) + "]".repeat(1000);
        String text = "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":" + deep + "}";

        // when / then
        assertThrows(MalformedMessageException.class, () -> RedisEventCodec.decode(null));
        MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> RedisEventCodec.decode(text));
        assertTrue(e.getMessage().contains("nested"), e.getMessage());
    }

    @Test
    void aRejectionNamesThePlaceButNotTheData() {
        // given
        String secret = "{\"channel\":\"diagnosis:42\",\"seq\":7,\"type\":\"step\",\"ts\":\"2025-03-01T12:34:56.789Z\",\"data\":{\"password\":\"hunter2\"";

        // when
        MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> RedisEventCodec.decode(secret));

        // then
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertTrue(e.getMessage().contains("offset"), e.getMessage());
    }
}
