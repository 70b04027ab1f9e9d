package dev.herald.bench.client;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Publish-to-deliver latencies in microseconds, recorded wait-free from the client's event loop
 * threads (HdrHistogram's {@link Recorder}) and summed into one histogram on demand.
 */
public final class LatencyRecorder {

    private final Recorder recorder = new Recorder(3);
    private final Histogram total = new Histogram(3);

    /** Records one latency given in nanoseconds (negative values, impossible on one clock, count as 0). */
    public void recordNanos(long nanos) {
        recorder.recordValue(Math.max(0, nanos / 1000));
    }

    /** Everything recorded so far. */
    public synchronized Histogram snapshot() {
        total.add(recorder.getIntervalHistogram());
        return total.copy();
    }

    /** Forgets everything recorded so far (after a warm-up). */
    public synchronized void reset() {
        recorder.reset();
        total.reset();
    }
}
