package dev.herald.infrastructure.broker.redis;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets a repeated log line through at most once per interval and counts the ones held back, so an
 * outage or a misbehaving publisher costs one line every few seconds instead of one per event.
 */
public final class LogThrottle {

    private final long intervalNanos;
    private final AtomicLong nextDue;
    private final AtomicLong held = new AtomicLong();

    public LogThrottle(Duration interval) {
        this.intervalNanos = interval.toNanos();
        this.nextDue = new AtomicLong(System.nanoTime());
    }

    /** @return -1 when the line should be dropped, otherwise how many were dropped since the last one let through */
    public long pass() {
        long now = System.nanoTime();
        long due = nextDue.get();
        if (now - due >= 0 && nextDue.compareAndSet(due, now + intervalNanos)) {
            return held.getAndSet(0);
        }
        held.incrementAndGet();
        return -1;
    }

    /** Lets the next line through at once: the condition it reports has ended. */
    public void reset() {
        nextDue.set(System.nanoTime());
        held.set(0);
    }
}
