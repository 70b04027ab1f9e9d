package dev.herald.bench.scenario;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * For each sequence number of one channel: how many subscribers received it and when the last
 * one did. Bounded: sequences beyond the capacity are ignored.
 */
final class ReachTracker {

    private final AtomicIntegerArray counts;
    private final AtomicLongArray lastNanos;

    ReachTracker(int capacity) {
        counts = new AtomicIntegerArray(capacity + 1);
        lastNanos = new AtomicLongArray(capacity + 1);
    }

    void record(long seq, long receivedNanos) {
        if (seq < 1 || seq >= counts.length()) {
            return;
        }
        int i = (int) seq;
        lastNanos.accumulateAndGet(i, receivedNanos, Math::max);
        counts.incrementAndGet(i);
    }

    int count(long seq) {
        return seq < 1 || seq >= counts.length() ? 0 : counts.get((int) seq);
    }

    long last(long seq) {
        return seq < 1 || seq >= counts.length() ? 0 : lastNanos.get((int) seq);
    }

    /** Sequences 1..{@code published} that fewer than {@code subscribers} received. */
    int incomplete(int subscribers, int published) {
        int missing = 0;
        for (int seq = 1; seq <= published && seq < counts.length(); seq++) {
            if (counts.get(seq) < subscribers) {
                missing++;
            }
        }
        return missing;
    }
}
