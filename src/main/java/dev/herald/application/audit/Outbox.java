package dev.herald.application.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * A bounded queue of records drained in batches by a background task. When full, a record waits a
 * bounded time for room ({@link #offer}: back-pressure on whoever records, so that a gateway
 * recording faster than its database writes slows down instead of losing records; no wait at all
 * for the other instances' live view, which is best effort), and is dropped and counted only after
 * that.
 */
final class Outbox {

    private static final Logger LOG = Logger.getLogger(Outbox.class.getName());
    private static final long WARN_EVERY_NANOS = 30_000_000_000L;

    private final String name;
    private final ArrayBlockingQueue<AuditRecord> queue;
    private final int batchSize;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong droppedSinceWarning = new AtomicLong();
    private volatile long lastWarning = System.nanoTime() - WARN_EVERY_NANOS;

    Outbox(String name, int capacity, int batchSize) {
        this.name = name;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.batchSize = batchSize;
    }

    /**
     * Queues the record, waiting up to {@code maxWaitNanos} for room when the queue is full (zero:
     * not at all); drops and counts it if there is still none (or the thread is interrupted, whose
     * flag stays set).
     */
    void offer(AuditRecord record, long maxWaitNanos) {
        if (queue.offer(record)) {
            return;
        }
        try {
            if (maxWaitNanos > 0 && queue.offer(record, maxWaitNanos, TimeUnit.NANOSECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drop(1);
    }

    void drop(long n) {
        dropped.addAndGet(n);
        droppedSinceWarning.addAndGet(n);
        long now = System.nanoTime();
        long last = lastWarning;
        if (now - last >= WARN_EVERY_NANOS && droppedSinceWarning.get() > 0) {
            lastWarning = now;
            long count = droppedSinceWarning.getAndSet(0);
            LOG.warning(() -> "audit " + name + ": dropped " + count + " records in the last 30 s (queue of "
                    + (queue.size() + queue.remainingCapacity()) + " full or batch refused); " + dropped.get() + " since start");
        }
    }

    /** The next batch, oldest first; empty when nothing is queued. */
    List<AuditRecord> next() {
        List<AuditRecord> batch = new ArrayList<>(Math.min(batchSize, queue.size()));
        queue.drainTo(batch, batchSize);
        return batch;
    }

    void forEachBatch(Consumer<List<AuditRecord>> sink) {
        for (List<AuditRecord> batch = next(); !batch.isEmpty(); batch = next()) {
            sink.accept(batch);
        }
    }

    int size() {
        return queue.size();
    }

    long dropped() {
        return dropped.get();
    }
}
