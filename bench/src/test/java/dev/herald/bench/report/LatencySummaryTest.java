package dev.herald.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencySummaryTest {

    @Test
    void reportsPercentilesInMillisecondsFromMicroseconds() {
        Histogram micros = new Histogram(3);
        for (int ms = 1; ms <= 1000; ms++) {
            micros.recordValue(ms * 1000L);
        }
        LatencySummary summary = LatencySummary.of(micros);
        assertEquals(1000, summary.count());
        assertEquals(500, summary.p50Ms(), 0.5);
        assertEquals(900, summary.p90Ms(), 0.9);
        assertEquals(990, summary.p99Ms(), 1.0);
        assertEquals(999, summary.p999Ms(), 1.0);
        assertEquals(1000, summary.maxMs(), 1.0);
        assertEquals(500.5, summary.meanMs(), 0.5);
    }

    @Test
    void reportsZerosForAnEmptyHistogram() {
        LatencySummary summary = LatencySummary.of(new Histogram(3));
        assertEquals(0, summary.count());
        assertEquals(0, summary.maxMs());
    }

    @Test
    void namesItsFiguresWithThePrefix() {
        Histogram micros = new Histogram(3);
        micros.recordValue(2000);
        assertEquals(2.0, (double) LatencySummary.of(micros).toMap("latency_").get("latency_p99_ms"), 0.01);
    }
}
