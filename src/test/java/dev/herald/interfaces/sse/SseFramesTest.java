package dev.herald.interfaces.sse;

import dev.herald.application.delivery.ServerFrames;
import dev.herald.application.session.CloseCode;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventType;
import dev.herald.domain.Sequence;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SseFramesTest {

    @Test
    void readsTheTypeAndSeqOfTheEventFramesTheApplicationEncodes() {
        String frame = ServerFrames.event(new Event(ChannelName.parse("diagnosis:42"), Sequence.of(1234567890123L),
                new EventType("threat.detected"), Instant.parse("2026-01-01T00:00:00Z"), "{\"seq\":7,\"type\":\"x\"}", "c-1"));

        assertEquals("threat.detected", SseFrames.type(frame));
        assertEquals(1234567890123L, SseFrames.seq(frame));
        assertEquals("id: 1234567890123\nevent: threat.detected\ndata: " + frame + "\n\n",
                SseFrames.event("threat.detected", 1234567890123L, frame));
    }

    @Test
    void readsTheTypeOfControlFramesAndNothingFromOtherText() {
        assertEquals("subscribed", SseFrames.type(ServerFrames.subscribed(ChannelName.parse("a:b"), Sequence.of(3), true, 1, null)));
        assertEquals("ping", SseFrames.type(ServerFrames.PING));
        assertNull(SseFrames.type("[1,2]"));
        assertEquals(-1, SseFrames.seq(ServerFrames.PING));
    }

    @Test
    void writesEachLineOfMultiLineTextAsItsOwnDataLine() {
        assertEquals("event: x\ndata: {\"a\":\ndata: 1,\ndata: \"b\":2}\n\n", SseFrames.named("x", "{\"a\":\n1,\r\n\"b\":2}"));
    }

    @Test
    void theCloseEventCarriesTheCodeAndTheEscapedReason() {
        String close = SseFrames.close(CloseCode.TOKEN_EXPIRED, "token \"expired\"");

        assertEquals("event: close\ndata: {\"type\":\"close\",\"code\":4010,\"reason\":\"token \\\"expired\\\"\"}\n\n", close);
        assertFalse(close.contains("id:"), "control events never move the resume position");
    }

    @Test
    void theRetryHintIsInMilliseconds() {
        assertEquals("retry: 2500\n\n", SseFrames.retry(Duration.ofMillis(2500)));
        assertTrue(SseFrames.PING.startsWith(":"), "a comment, which EventSource ignores");
    }

    @Test
    void anEventStreamIsChosenOnlyWhenTheAcceptHeaderNamesIt() {
        assertTrue(ChannelStreamFilter.wantsEventStream("text/event-stream"));
        assertTrue(ChannelStreamFilter.wantsEventStream("application/json;q=0.5, Text/Event-Stream"));
        assertFalse(ChannelStreamFilter.wantsEventStream("text/event-stream;q=0"));
        assertFalse(ChannelStreamFilter.wantsEventStream("application/json"));
        assertFalse(ChannelStreamFilter.wantsEventStream("*/*"));
        assertFalse(ChannelStreamFilter.wantsEventStream(null));
    }
}
