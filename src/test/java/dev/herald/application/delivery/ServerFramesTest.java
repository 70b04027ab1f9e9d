package dev.herald.application.delivery;

import dev.herald.application.ErrorCode;
import dev.herald.application.presence.PresentUser;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventType;
import dev.herald.domain.Sequence;
import jakarta.json.Json;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerFramesTest {

    private static final ChannelName CHANNEL = ChannelName.parse("diagnosis:42");
    private static final Instant TS = Instant.parse("2025-03-04T05:06:07.890Z");

    private static JsonObject parse(String frame) {
        try (JsonReader reader = Json.createReader(new StringReader(frame))) {
            return reader.readObject();
        }
    }

    private static Event event(String data, String correlationId) {
        return new Event(CHANNEL, Sequence.of(7), new EventType("agent_message"), TS, data, correlationId);
    }

    @Test
    void presenceFrameListsUsersWithCountsAndEscapesUserIds() {
        // given: a subject may hold any characters, including quotes and '|'
        List<PresentUser> users = List.of(new PresentUser("auth0|\"q\"", 2), new PresentUser("bob", 1));

        // when
        JsonObject frame = parse(ServerFrames.presence(CHANNEL, users, "p1"));
        JsonObject body = parse(ServerFrames.presenceBody(CHANNEL, List.of()));

        // then
        assertEquals("presence", frame.getString("type"));
        assertEquals("diagnosis:42", frame.getString("channel"));
        assertEquals("auth0|\"q\"", frame.getJsonArray("users").getJsonObject(0).getString("user"));
        assertEquals(2, frame.getJsonArray("users").getJsonObject(0).getInt("connections"));
        assertEquals("bob", frame.getJsonArray("users").getJsonObject(1).getString("user"));
        assertEquals("p1", frame.getString("ref"));
        assertEquals(Set.of("type", "channel", "users", "ref"), frame.keySet());
        assertEquals("{\"channel\":\"diagnosis:42\",\"users\":[]}", body.toString());
    }

    @Test
    void eventFrameCarriesTypeChannelSeqTimestampAndData() {
        // given
        Event e = event("{\"text\":\"hi\",\"n\":[1,2]}", null);

        // when
        JsonObject frame = parse(ServerFrames.event(e));

        // then
        assertEquals("agent_message", frame.getString("type"));
        assertEquals("diagnosis:42", frame.getString("channel"));
        assertEquals(7, frame.getJsonNumber("seq").longValueExact());
        assertEquals("2025-03-04T05:06:07.890Z", frame.getString("ts"));
        assertEquals(TS, Instant.parse(frame.getString("ts")));
        JsonObject data = frame.getJsonObject("data");
        assertEquals("hi", data.getString("text"));
        assertEquals(2, data.getJsonArray("n").size());
        assertFalse(frame.containsKey("correlationId"), "no correlationId unless the event has one");
        assertEquals(Set.of("type", "channel", "seq", "ts", "data"), frame.keySet());
    }

    @Test
    void eventFrameIncludesCorrelationIdWhenSet() {
        // given an id that needs escaping
        Event e = event("null", "req-\"1\"\\x");

        // when
        JsonObject frame = parse(ServerFrames.event(e));

        // then
        assertEquals("req-\"1\"\\x", frame.getString("correlationId"));
        assertEquals(JsonValue.NULL, frame.get("data"));
    }

    @Test
    void eventFrameCarriesScalarAndArrayData() {
        assertEquals(42, parse(ServerFrames.event(event("42", null))).getInt("data"));
        assertEquals("x", parse(ServerFrames.event(event("\"x\"", null))).getString("data"));
        assertEquals(3, parse(ServerFrames.event(event("[1,2,3]", null))).getJsonArray("data").size());
        assertEquals(JsonValue.TRUE, parse(ServerFrames.event(event("true", null))).get("data"));
    }

    @Test
    void eventFrameKeepsFullTimestampPrecision() {
        Instant nanos = Instant.parse("2025-03-04T05:06:07.123456789Z");
        Event e = new Event(CHANNEL, Sequence.of(1), new EventType("x"), nanos, "{}", null);

        assertEquals(nanos, Instant.parse(parse(ServerFrames.event(e)).getString("ts")));
    }

    @Test
    void welcomeFrameCarriesConnectionUserAndHeartbeatInWholeSeconds() {
        // when
        JsonObject frame = parse(ServerFrames.welcome("c-1", "alice", Duration.ofSeconds(30), Duration.ofSeconds(10)));

        // then
        assertEquals("welcome", frame.getString("type"));
        assertEquals("c-1", frame.getString("connectionId"));
        assertEquals("alice", frame.getString("user"));
        JsonObject heartbeat = frame.getJsonObject("heartbeat");
        JsonNumber interval = heartbeat.getJsonNumber("interval");
        assertTrue(interval.isIntegral());
        assertEquals("30", interval.toString());
        assertEquals("10", heartbeat.getJsonNumber("timeout").toString());
    }

    @Test
    void welcomeFramePrintsFractionalSecondsAsDecimals() {
        // when
        String text = ServerFrames.welcome("c-2", "bob", Duration.ofMillis(500), Duration.ofMillis(1500));
        JsonObject heartbeat = parse(text).getJsonObject("heartbeat");

        // then
        assertTrue(text.contains("\"interval\":0.5"), text);
        assertEquals(0.5, heartbeat.getJsonNumber("interval").doubleValue());
        assertEquals(1.5, heartbeat.getJsonNumber("timeout").doubleValue());
    }

    @Test
    void welcomeFrameEscapesTheUserName() {
        JsonObject frame = parse(ServerFrames.welcome("c\"3", "o\"brien\\\n", Duration.ofSeconds(1), Duration.ofSeconds(1)));

        assertEquals("c\"3", frame.getString("connectionId"));
        assertEquals("o\"brien\\\n", frame.getString("user"));
    }

    @Test
    void secondsPrintsWholeSecondsAsIntegers() {
        assertEquals("30", ServerFrames.seconds(Duration.ofSeconds(30)));
        assertEquals("0", ServerFrames.seconds(Duration.ZERO));
        assertEquals("300", ServerFrames.seconds(Duration.ofMinutes(5)));
        assertEquals("0.5", ServerFrames.seconds(Duration.ofMillis(500)));
        assertEquals("0.25", ServerFrames.seconds(Duration.ofMillis(250)));
    }

    @Test
    void subscribedFrameCarriesHeadRecoveryAndRef() {
        // when
        JsonObject frame = parse(ServerFrames.subscribed(CHANNEL, Sequence.of(12), true, 5, "r1"));

        // then
        assertEquals("subscribed", frame.getString("type"));
        assertEquals("diagnosis:42", frame.getString("channel"));
        assertEquals(12, frame.getJsonNumber("seq").longValueExact());
        assertTrue(frame.getBoolean("recovered"));
        assertEquals(5, frame.getJsonNumber("replayed").longValueExact());
        assertEquals("r1", frame.getString("ref"));
    }

    @Test
    void framesWithoutRefOmitTheField() {
        JsonObject subscribed = parse(ServerFrames.subscribed(CHANNEL, Sequence.ZERO, false, 0, null));

        assertFalse(subscribed.getBoolean("recovered"));
        assertFalse(subscribed.containsKey("ref"));
        assertFalse(parse(ServerFrames.unsubscribed(CHANNEL, null)).containsKey("ref"));
        assertFalse(parse(ServerFrames.published(CHANNEL, Sequence.of(1), TS, null)).containsKey("ref"));
        assertFalse(parse(ServerFrames.accepted(CHANNEL, "cancel", null)).containsKey("ref"));
        assertFalse(parse(ServerFrames.error(ErrorCode.FORBIDDEN, "no", null)).containsKey("ref"));
    }

    @Test
    void unsubscribedFrameNamesTheChannel() {
        JsonObject frame = parse(ServerFrames.unsubscribed(CHANNEL, "r2"));

        assertEquals("unsubscribed", frame.getString("type"));
        assertEquals("diagnosis:42", frame.getString("channel"));
        assertEquals("r2", frame.getString("ref"));
    }

    @Test
    void publishedFrameCarriesSeqAndTimestamp() {
        JsonObject frame = parse(ServerFrames.published(CHANNEL, Sequence.of(99), TS, "p\"1"));

        assertEquals("published", frame.getString("type"));
        assertEquals("diagnosis:42", frame.getString("channel"));
        assertEquals(99, frame.getJsonNumber("seq").longValueExact());
        assertEquals(TS, Instant.parse(frame.getString("ts")));
        assertEquals("p\"1", frame.getString("ref"));
    }

    @Test
    void acceptedFrameEscapesTheCommandName() {
        JsonObject frame = parse(ServerFrames.accepted(CHANNEL, "can\"cel\u0001", "c1"));

        assertEquals("accepted", frame.getString("type"));
        assertEquals("diagnosis:42", frame.getString("channel"));
        assertEquals("can\"cel\u0001", frame.getString("name"));
        assertEquals("c1", frame.getString("ref"));
    }

    @Test
    void refreshedFrameCarriesExpiryInEpochSeconds() {
        JsonObject frame = parse(ServerFrames.refreshed("alice", Instant.ofEpochSecond(1_900_000_000L, 999_000_000)));

        assertEquals("refreshed", frame.getString("type"));
        assertEquals("alice", frame.getString("user"));
        assertEquals(1_900_000_000L, frame.getJsonNumber("exp").longValueExact());
    }

    @Test
    void errorFrameCarriesStableCodeMessageAndRef() {
        // when
        JsonObject frame = parse(ServerFrames.error(ErrorCode.INVALID_CHANNEL, "bad \"name\"\n\u2028", "s1"));

        // then
        assertEquals("error", frame.getString("type"));
        assertEquals("invalid_channel", frame.getString("code"));
        assertEquals("bad \"name\"\n\u2028", frame.getString("message"));
        assertEquals("s1", frame.getString("ref"));
    }

    @Test
    void everyErrorCodeMakesAValidErrorFrame() {
        for (ErrorCode code : ErrorCode.values()) {
            JsonObject frame = parse(ServerFrames.error(code, code.title(), "r"));
            assertEquals(code.code(), frame.getString("code"));
            assertEquals(code.title(), frame.getString("message"));
        }
    }

    @Test
    void heartbeatFramesAreValidJson() {
        assertEquals("ping", parse(ServerFrames.PING).getString("type"));
        assertEquals("pong", parse(ServerFrames.PONG).getString("type"));
    }

    @Test
    void timestampIsIsoInstantInUtc() {
        assertEquals("2025-03-04T05:06:07Z", ServerFrames.timestamp(Instant.parse("2025-03-04T05:06:07Z")));
        assertEquals("2025-03-04T05:06:07.890Z", ServerFrames.timestamp(TS));
    }
}
