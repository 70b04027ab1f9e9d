package dev.herald.bench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchAnswerTest {

    @Test
    void takesTheHighestSequencePerChannelFromABatchAnswer() {
        String answer = "{\"events\":[{\"channel\":\"bench:a\",\"seq\":7,\"ts\":\"2026-11-22T10:00:00Z\"},"
                + "{\"channel\":\"bench:b\",\"seq\":3,\"ts\":\"2026-11-22T10:00:00Z\"},"
                + "{\"channel\":\"bench:a\",\"seq\":8,\"ts\":\"2026-11-22T10:00:00.001Z\"}]}";
        assertEquals(Map.of("bench:a", 8L, "bench:b", 3L), HttpPublisher.batchHeads(answer));
    }

    @Test
    void findsNothingInAnEmptyBatch() {
        assertEquals(Map.of(), HttpPublisher.batchHeads("{\"events\":[]}"));
    }
}
