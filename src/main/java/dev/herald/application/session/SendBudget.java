package dev.herald.application.session;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * How much outgoing text one connection holds queued, against {@code herald.limits.max-pending-bytes}:
 * the bookkeeping behind every transport's bounded queue and its {@link Connection#awaitWritable}.
 * Counted in characters of the queued text.
 */
public final class SendBudget {

    private final long max;
    private final AtomicLong pending = new AtomicLong();
    private final Object drained = new Object();

    public SendBudget(long max) {
        this.max = max;
    }

    public long max() {
        return max;
    }

    /** Counts text about to be queued; false when that puts the queue over the limit (a slow consumer). */
    public boolean reserve(long chars) {
        return pending.addAndGet(chars) <= max;
    }

    /** Counts text written or dropped; wakes the waiters once the queue is at most half full. */
    public void release(long chars) {
        if (pending.addAndGet(-chars) <= max / 2) {
            wake();
        }
    }

    /** Wakes every waiter, to look at the connection again (it closed). */
    public void wake() {
        synchronized (drained) {
            drained.notifyAll();
        }
    }

    /**
     * Blocks until the queue is at most half full.
     *
     * @return false when it did not drain within the timeout or the connection is no longer open
     */
    public boolean awaitHalfEmpty(Duration timeout, BooleanSupplier open) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (drained) {
            while (pending.get() > max / 2) {
                if (!open.getAsBoolean()) {
                    return false;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(drained, left);
            }
        }
        return open.getAsBoolean();
    }
}
