package dev.herald.application.metrics;

import dev.herald.application.audit.AuditEvent;
import dev.herald.application.audit.AuditOutcome;
import dev.herald.application.audit.AuditType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HeraldMetricsTest {

    private final HeraldMetrics metrics = new HeraldMetrics();

    @Test
    void countsPublishesBySourceFromTheAuditRecords() {
        metrics.audited(AuditEvent.of(AuditType.PUBLISH, AuditOutcome.OK).transport("websocket"));
        metrics.audited(AuditEvent.of(AuditType.PUBLISH, AuditOutcome.OK).transport("http"));
        metrics.audited(AuditEvent.of(AuditType.PUBLISH, AuditOutcome.OK).with("source", "ingest"));
        metrics.audited(AuditEvent.of(AuditType.PUBLISH, AuditOutcome.OK).with("source", "server"));
        metrics.audited(AuditEvent.of(AuditType.PUBLISH, AuditOutcome.DENIED).transport("http"));

        assertEquals(1, metrics.publishedCount(HeraldMetrics.Source.WEBSOCKET));
        assertEquals(1, metrics.publishedCount(HeraldMetrics.Source.HTTP), "a refused publish is not counted");
        assertEquals(1, metrics.publishedCount(HeraldMetrics.Source.INGEST));
        assertEquals(1, metrics.publishedCount(HeraldMetrics.Source.SERVER));
    }

    @Test
    void countsAuthFailuresAndOnlySlowConsumerLimitCloses() {
        metrics.audited(AuditEvent.of(AuditType.AUTH_FAILURE, AuditOutcome.DENIED).transport("http"));
        metrics.audited(AuditEvent.of(AuditType.LIMIT, AuditOutcome.DENIED).with("code", 4009));
        metrics.audited(AuditEvent.of(AuditType.LIMIT, AuditOutcome.DENIED).with("code", 4008));

        assertEquals(1, metrics.authFailures());
        assertEquals(1, metrics.slowConsumerCloses());
    }

    @Test
    void latencyHistogramPutsEachDeliveryInTheFirstBucketThatHoldsIt() {
        metrics.delivered(3, 800);          // 0.8 ms, three connections
        metrics.delivered(1, 40_000);       // 40 ms
        metrics.delivered(1, 60_000_000);   // a minute: only +Inf
        metrics.delivered(2, -5_000);       // another instance's clock ahead: counts as zero

        LatencyHistogram.Snapshot s = metrics.latency().snapshot();
        assertEquals(7, metrics.delivered());
        assertEquals(7, s.count());
        assertEquals(5, s.cumulative()[0], "le=0.001 holds the 0.8 ms and the clamped deliveries");
        assertEquals(6, s.cumulative()[5], "le=0.05 adds the 40 ms one");
        assertEquals(6, s.cumulative()[LatencyHistogram.BOUNDS_SECONDS.length - 1], "le=10 leaves the minute out");
        assertEquals(3 * 0.0008 + 0.04 + 60, s.sumSeconds(), 1e-9);
    }

    @Test
    void deliveringToNoConnectionRecordsNothing() {
        metrics.delivered(0, 1000);

        assertEquals(0, metrics.delivered());
        assertEquals(0, metrics.latency().snapshot().count());
    }
}
