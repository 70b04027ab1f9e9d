package dev.herald.application.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrometheusTextTest {

    @Test
    void writesHelpTypeAndLabelledSamples() {
        String text = new PrometheusText()
                .family("herald_connections", "gauge", "Open connections.")
                .sample("herald_connections", 3, "transport", "websocket")
                .sample("herald_connections", 0, "transport", "sse")
                .counter("herald_events_delivered_total", "Delivered.", 12)
                .toString();

        assertEquals("""
                # HELP herald_connections Open connections.
                # TYPE herald_connections gauge
                herald_connections{transport="websocket"} 3
                herald_connections{transport="sse"} 0
                # HELP herald_events_delivered_total Delivered.
                # TYPE herald_events_delivered_total counter
                herald_events_delivered_total 12
                """, text);
    }

    @Test
    void escapesLabelValuesAndHelpText() {
        String text = new PrometheusText().family("m", "gauge", "a \\ b\nc").sample("m", 1.5, "l", "q\"\\\n").toString();

        assertEquals("# HELP m a \\\\ b\\nc\n# TYPE m gauge\nm{l=\"q\\\"\\\\\\n\"} 1.5\n", text);
    }

    @Test
    void histogramHasCumulativeBucketsEndingInInfThenSumAndCount() {
        LatencyHistogram h = new LatencyHistogram();
        h.observe(2_000, 1);     // 2 ms
        h.observe(300_000, 2);   // 300 ms

        String text = new PrometheusText().histogram("lat_seconds", "Latency.", h.snapshot()).toString();

        assertTrue(text.contains("# TYPE lat_seconds histogram\n"), text);
        assertTrue(text.contains("lat_seconds_bucket{le=\"0.001\"} 0\n"), text);
        assertTrue(text.contains("lat_seconds_bucket{le=\"0.0025\"} 1\n"), text);
        assertTrue(text.contains("lat_seconds_bucket{le=\"0.25\"} 1\n"), text);
        assertTrue(text.contains("lat_seconds_bucket{le=\"0.5\"} 3\n"), text);
        assertTrue(text.contains("lat_seconds_bucket{le=\"10\"} 3\n"), text);
        assertTrue(text.endsWith("lat_seconds_bucket{le=\"+Inf\"} 3\nlat_seconds_sum 0.602\nlat_seconds_count 3\n"), text);
    }

    @Test
    void formatsWholeNumbersWithoutAFractionAndSpecialValuesAsPrometheusDoes() {
        assertEquals("42", PrometheusText.format(42));
        assertEquals("0.25", PrometheusText.format(0.25));
        assertEquals("+Inf", PrometheusText.format(Double.POSITIVE_INFINITY));
        assertEquals("NaN", PrometheusText.format(Double.NaN));
    }
}
