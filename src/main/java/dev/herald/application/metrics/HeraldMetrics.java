package dev.herald.application.metrics;

import dev.herald.application.audit.AuditEvent;
import dev.herald.application.audit.AuditOutcome;
import dev.herald.application.session.CloseCode;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.atomic.LongAdder;

/**
 * The counters behind {@code /metrics} and {@code GET /api/status}, for this instance since it
 * started. Every method is a {@link LongAdder} addition: safe and cheap on the delivery path.
 * Gauges (connections, subscriptions, broker state) are not kept here but read at scrape time by
 * {@link InstanceMonitor}.
 */
@ApplicationScoped
public class HeraldMetrics {

    /** Where a published event came from: the {@code source} label of {@code herald_events_published_total}. */
    public enum Source {
        WEBSOCKET, SSE, HTTP, INGEST, SERVER;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final LongAdder[] published = new LongAdder[Source.values().length];
    private final LongAdder delivered = new LongAdder();
    private final LongAdder replayed = new LongAdder();
    private final LongAdder gapsRepaired = new LongAdder();
    private final LongAdder heldForOrder = new LongAdder();
    private final LongAdder slowConsumerCloses = new LongAdder();
    private final LongAdder authFailures = new LongAdder();
    private final LatencyHistogram latency = new LatencyHistogram();

    public HeraldMetrics() {
        for (int i = 0; i < published.length; i++) {
            published[i] = new LongAdder();
        }
    }

    /**
     * Counts what the audit trail sees: every publish, auth failure and limit close is recorded
     * there exactly once, whichever transport it came through, so counting there needs no hook in
     * each transport.
     */
    public void audited(AuditEvent event) {
        switch (event.type()) {
            case PUBLISH -> {
                if (event.outcome() == AuditOutcome.OK) {
                    published(sourceOf(event));
                }
            }
            case AUTH_FAILURE -> authFailures.increment();
            case LIMIT -> {
                if (event.detail().get("code") instanceof Number code && code.intValue() == CloseCode.SLOW_CONSUMER.code()) {
                    slowConsumerCloses.increment();
                }
            }
            default -> {
                // not counted
            }
        }
    }

    private static Source sourceOf(AuditEvent event) {
        if (event.detail().get("source") instanceof String source) {
            return "ingest".equals(source) ? Source.INGEST : Source.SERVER;
        }
        String transport = event.transport();
        if ("websocket".equals(transport)) {
            return Source.WEBSOCKET;
        }
        if ("sse".equals(transport)) {
            return Source.SSE;
        }
        return transport == null ? Source.SERVER : Source.HTTP;
    }

    public void published(Source source) {
        published[source.ordinal()].increment();
    }

    /**
     * One event queued on {@code connections} connections by the live fan-out.
     *
     * @param latencyMicros from the event's timestamp (its commit) to now
     */
    public void delivered(int connections, long latencyMicros) {
        if (connections > 0) {
            delivered.add(connections);
            latency.observe(latencyMicros, connections);
        }
    }

    /** Events sent to one subscriber from the store: a replay, or the catch-up before it goes live. */
    public void replayed(int events) {
        replayed.add(events);
    }

    /** The hub found a channel behind (an event still missing when the reorder window ended, or a stored head) and read the rest from the store. */
    public void gapRepaired() {
        gapsRepaired.increment();
    }

    /** An event came from the broker ahead of its predecessor and waits for it. */
    public void heldForOrder() {
        heldForOrder.increment();
    }

    public long heldForOrderCount() {
        return heldForOrder.sum();
    }

    public long publishedCount(Source source) {
        return published[source.ordinal()].sum();
    }

    public long delivered() {
        return delivered.sum();
    }

    public long replayed() {
        return replayed.sum();
    }

    public long gapsRepaired() {
        return gapsRepaired.sum();
    }

    public long slowConsumerCloses() {
        return slowConsumerCloses.sum();
    }

    public long authFailures() {
        return authFailures.sum();
    }

    public LatencyHistogram latency() {
        return latency;
    }
}
