package dev.herald.application.session;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * How much outgoing text one connection holds queued, against {@code herald.limits.max-pending-bytes}
 * (the UTF-8 bytes of the queued frames) and {@code herald.limits.max-pending-messages} (the frames):
 * the bookkeeping behind every transport's bounded queue and its {@link Connection#awaitWritable}.
 */
public final class SendBudget {

    /**
     * The last frame measured on this thread and its UTF-8 length. Fan-out queues the same string on
     * every subscriber from one thread, so it is measured once per event, not once per subscriber.
     */
    private static final ThreadLocal<Measured> LAST = ThreadLocal.withInitial(() -> new Measured(null, 0));

    private record Measured(String frame, long bytes) {
    }

    private final long max;
    private final long maxMessages;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();
    private final Object drained = new Object();
    /** Threads in {@link #awaitHalfEmpty}; changed only while holding {@link #drained}. */
    private volatile int waiters;

    /** A budget in bytes only. */
    public SendBudget(long max) {
        this(max, Long.MAX_VALUE);
    }

    public SendBudget(long max, long maxMessages) {
        this.max = max;
        this.maxMessages = maxMessages;
    }

    public long max() {
        return max;
    }

    public long maxMessages() {
        return maxMessages;
    }

    /** Counts a frame about to be queued; false when that puts the queue over either limit (a slow consumer). */
    public boolean reserve(String frame) {
        return reserve(utf8Length(frame));
    }

    /** Counts a frame of {@code bytes} UTF-8 bytes about to be queued; false when that puts the queue over either limit. */
    public boolean reserve(long bytes) {
        boolean bytesFit = pending.addAndGet(bytes) <= max;
        return messages.incrementAndGet() <= maxMessages && bytesFit;
    }

    /** Counts a frame written or dropped; wakes the waiters once the queue is at most half full. */
    public void release(String frame) {
        release(utf8Length(frame), 1);
    }

    /** Counts {@code frames} frames of {@code bytes} UTF-8 bytes in all written or dropped. */
    public void release(long bytes, int frames) {
        long left = pending.addAndGet(-bytes);
        long count = messages.addAndGet(-frames);
        if (left <= max / 2 && count <= maxMessages / 2) {
            wake();
        }
    }

    /** What the queue holds now, as a human reads it: for the slow consumer's close reason. */
    public String describe() {
        return messages.get() + " frames, " + pending.get() + " bytes queued (limits " + maxMessages + ", " + max + ")";
    }

    /** The length of the text in UTF-8, without encoding it. */
    public static long utf8Length(String frame) {
        Measured last = LAST.get();
        if (last.frame() == frame) {
            return last.bytes();
        }
        long bytes = frame.length();
        for (int i = 0; i < frame.length(); i++) {
            char c = frame.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    bytes += 1;
                } else if (Character.isHighSurrogate(c) && i + 1 < frame.length() && Character.isLowSurrogate(frame.charAt(i + 1))) {
                    bytes += 2; // 4 bytes for the pair of chars
                    i++;
                } else {
                    bytes += 2; // 3 bytes; a lone surrogate (sent as one '?') counts high
                }
            }
        }
        LAST.set(new Measured(frame, bytes));
        return bytes;
    }

    /** Wakes every waiter, to look at the connection again (it closed). */
    public void wake() {
        // Most connections never have a waiter (only replay waits): skip the monitor on every write.
        // The waiter counts itself before reading the queue, a releaser reads the count after changing
        // the queue, so one of the two sees the other.
        if (waiters == 0) {
            return;
        }
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
            waiters++;
            try {
                while (pending.get() > max / 2 || messages.get() > maxMessages / 2) {
                    if (!open.getAsBoolean()) {
                        return false;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(drained, left);
                }
            } finally {
                waiters--;
            }
        }
        return open.getAsBoolean();
    }
}
