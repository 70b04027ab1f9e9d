package dev.herald.application.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * A Prometheus histogram over fixed bucket bounds, in seconds. Recording is a bucket search over a
 * dozen longs and two {@link LongAdder} additions: no lock and no allocation, so the delivery path
 * can record every event.
 */
public final class LatencyHistogram {

    /** Upper bounds in seconds, from "as fast as a local fan-out" to "a client replaying after a long outage". */
    static final double[] BOUNDS_SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    private static final long[] BOUNDS_MICROS = new long[BOUNDS_SECONDS.length];

    static {
        for (int i = 0; i < BOUNDS_SECONDS.length; i++) {
            BOUNDS_MICROS[i] = Math.round(BOUNDS_SECONDS[i] * 1_000_000);
        }
    }

    /** Per bucket, not cumulative; the last one is +Inf. */
    private final LongAdder[] buckets = new LongAdder[BOUNDS_SECONDS.length + 1];
    private final LongAdder sumMicros = new LongAdder();

    public LatencyHistogram() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /**
     * Records {@code count} observations of the same value (one event queued on several
     * connections at once). Negative values, from clocks of different instances, count as zero.
     */
    public void observe(long micros, long count) {
        if (count <= 0) {
            return;
        }
        long value = Math.max(0, micros);
        int i = 0;
        while (i < BOUNDS_MICROS.length && value > BOUNDS_MICROS[i]) {
            i++;
        }
        buckets[i].add(count);
        sumMicros.add(value * count);
    }

    /** A consistent-enough copy for one scrape: cumulative bucket counts, count and sum. */
    public Snapshot snapshot() {
        long[] cumulative = new long[buckets.length];
        long running = 0;
        for (int i = 0; i < buckets.length; i++) {
            running += buckets[i].sum();
            cumulative[i] = running;
        }
        return new Snapshot(cumulative, sumMicros.sum() / 1_000_000.0);
    }

    /**
     * @param cumulative observations at most each bound, the last entry (+Inf) being the total count
     * @param sumSeconds the sum of all observations
     */
    public record Snapshot(long[] cumulative, double sumSeconds) {

        public long count() {
            return cumulative[cumulative.length - 1];
        }
    }
}
