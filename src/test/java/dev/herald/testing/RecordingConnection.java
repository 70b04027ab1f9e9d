package dev.herald.testing;

import dev.herald.application.session.CloseCode;
import dev.herald.application.session.Connection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A {@link Connection} that records what the server sends, for unit tests of the application layer. */
public class RecordingConnection implements Connection {

    private final List<String> frames = new ArrayList<>();
    private CloseCode closeCode;
    private String closeReason;

    @Override
    public synchronized void send(String frame) {
        if (closeCode == null) {
            frames.add(frame);
            notifyAll();
        }
    }

    @Override
    public boolean awaitWritable(Duration timeout) {
        return isOpen();
    }

    @Override
    public synchronized void close(CloseCode code, String reason) {
        if (closeCode == null) {
            closeCode = code;
            closeReason = reason;
            notifyAll();
        }
    }

    @Override
    public synchronized boolean isOpen() {
        return closeCode == null;
    }

    public synchronized List<String> frames() {
        return List.copyOf(frames);
    }

    public synchronized CloseCode closeCode() {
        return closeCode;
    }

    public synchronized String closeReason() {
        return closeReason;
    }

    /** Waits until some frame matches, failing after the deadline; returns the first match. */
    public synchronized String await(Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String f : frames) {
                if (match.test(f)) {
                    return f;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no matching frame within " + timeout + "; got " + frames);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** Waits until the number of frames matching reaches {@code count}. */
    public synchronized List<String> awaitCount(Predicate<String> match, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> matching = frames.stream().filter(match).toList();
            if (matching.size() >= count) {
                return matching;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("only " + matching.size() + " of " + count + " matching frames within " + timeout);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** Waits until the server closes the connection; returns the close code. */
    public synchronized CloseCode awaitClose(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (closeCode == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("not closed within " + timeout + "; frames " + frames);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return closeCode;
    }
}
