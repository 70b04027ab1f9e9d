package dev.herald.testing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A {@code System.nanoTime()} stand-in that tests move by hand, so that a pause after a failure
 * lasts exactly as long as the test says, however slow the machine is.
 */
public final class ManualTicker implements LongSupplier {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    public void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Override
    public long getAsLong() {
        return nanos.get();
    }
}
