package dev.herald.bench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EventFrameTest {

    @Test
    void readsChannelSequenceAndPublishTimeOfAnEventFrame() {
        EventFrame frame = EventFrame.parse(
                "{\"type\":\"bench\",\"channel\":\"bench:f1-0\",\"seq\":42,\"ts\":\"2026-11-22T09:30:00.125Z\",\"data\":{\"t\":123456789012}}");
        assertTrue(frame.isEvent());
        assertEquals("bench:f1-0", frame.channel());
        assertEquals(42, frame.seq());
        assertEquals(123456789012L, frame.publishNanos());
    }

    @Test
    void doesNotMistakeTheTimestampForThePublishTime() {
        EventFrame frame = EventFrame.parse("{\"type\":\"bench\",\"channel\":\"a:b\",\"seq\":1,\"ts\":\"2026-11-22T09:30:00Z\",\"data\":null}");
        assertEquals(EventFrame.NONE, frame.publishNanos());
    }

    @Test
    void treatsSubscribedAsControlAndReadsRecovered() {
        EventFrame frame = EventFrame.parse("{\"type\":\"subscribed\",\"channel\":\"a:b\",\"seq\":5,\"recovered\":true,\"replayed\":2}");
        assertFalse(frame.isEvent());
        assertEquals(5, frame.seq());
        assertTrue(frame.recovered());
    }

    @Test
    void readsAPingWithoutChannel() {
        EventFrame frame = EventFrame.parse("{\"type\":\"ping\"}");
        assertEquals("ping", frame.type());
        assertNull(frame.channel());
        assertFalse(frame.isEvent());
    }

    @Test
    void scansStringsWithEscapesAndSpacesAroundTheColon() {
        assertEquals("a\"b", JsonScan.string("{\"k\" : \"a\\\"b\"}", "k"));
        assertEquals(-7, JsonScan.number("{\"n\": -7}", "n"));
        assertEquals(EventFrame.NONE, JsonScan.number("{\"n\":\"7\"}", "n"));
    }

    @Test
    void takesTheLastMemberAsRawJson() {
        assertEquals("{\"t\":12}", JsonScan.lastMemberValue("{\"type\":\"bench\",\"data\":{\"t\":12}}", "data"));
    }
}
