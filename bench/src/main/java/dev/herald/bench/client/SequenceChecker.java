package dev.herald.bench.client;

import java.util.TreeSet;

/**
 * Checks the sequence numbers one subscriber receives on one channel: every event after the
 * start position must arrive exactly once and in order.
 *
 * <p>An event above the next expected one opens a gap (its missing numbers are remembered); a
 * missing number that arrives later counts as out of order and closes its part of the gap; a
 * number already seen counts as a duplicate. What is still missing at the end, plus everything
 * between the position and the channel's head, is lost. Not thread-safe: one connection's event
 * loop owns it.
 */
public final class SequenceChecker {

    /** Gaps larger than this are counted, not remembered one number at a time (bounded memory). */
    static final int MAX_REMEMBERED_GAP = 100_000;

    /** What one received sequence number was. */
    public enum Arrival { IN_ORDER, AFTER_GAP, LATE, DUPLICATE }

    private long position;
    private TreeSet<Long> missing;
    private long forgottenMissing;
    private long received;
    private long duplicates;
    private long outOfOrder;

    /** A checker expecting every event after {@code start} (0: from the first event). */
    public SequenceChecker(long start) {
        this.position = start;
    }

    /** Records one received event. */
    public Arrival accept(long seq) {
        if (seq == position + 1) {
            position = seq;
            received++;
            return Arrival.IN_ORDER;
        }
        if (seq > position + 1) {
            rememberMissing(position + 1, seq - 1);
            position = seq;
            received++;
            return Arrival.AFTER_GAP;
        }
        if (missing != null && missing.remove(seq)) {
            outOfOrder++;
            received++;
            return Arrival.LATE;
        }
        duplicates++;
        return Arrival.DUPLICATE;
    }

    private void rememberMissing(long from, long to) {
        long count = to - from + 1;
        if (count > MAX_REMEMBERED_GAP) {
            forgottenMissing += count;
            return;
        }
        if (missing == null) {
            missing = new TreeSet<>();
        }
        for (long seq = from; seq <= to; seq++) {
            missing.add(seq);
        }
    }

    /** The highest sequence received (or the start position when none was). */
    public long position() {
        return position;
    }

    /** Distinct events received. */
    public long received() {
        return received;
    }

    public long duplicates() {
        return duplicates;
    }

    public long outOfOrder() {
        return outOfOrder;
    }

    /** Events up to {@code head} never received: open gaps plus the tail after the position. */
    public long lost(long head) {
        long gaps = (missing == null ? 0 : missing.size()) + forgottenMissing;
        return gaps + Math.max(0, head - position);
    }

    /** True when every event up to {@code head} has arrived. */
    public boolean complete(long head) {
        return lost(head) == 0;
    }
}
