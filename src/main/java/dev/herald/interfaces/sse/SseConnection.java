package dev.herald.interfaces.sse;

import dev.herald.application.ErrorCode;
import dev.herald.application.session.ClientSession;
import dev.herald.application.session.CloseCode;
import dev.herald.application.session.Connection;
import dev.herald.application.session.SendBudget;
import dev.herald.domain.EventType;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A server-sent event stream as a {@link Connection}: the frames the application sends become
 * {@code text/event-stream} events in a bounded queue, written with non-blocking writes whenever the
 * output is ready, so a slow client costs queue space, never a blocked thread. A stream whose
 * queue exceeds {@code herald.limits.max-pending-bytes} is ended as a slow consumer (4009) and
 * recovers by replay when the browser reconnects.
 *
 * <p>Until {@link #start} the stream is pending: frames queue up, and a close only records its
 * code, so that a refusal while opening (bad token, forbidden channel) becomes an HTTP problem
 * instead of a stream. A close after the start sends {@code event: close} with the code and
 * reason, then ends the response.
 *
 * <p>The client sends nothing on this transport ({@link #receivesClientFrames()} is false):
 * {@link #heartbeat} writes a comment when the stream has been quiet, and a stream that could not
 * write for two heartbeat periods is taken for dead.
 */
final class SseConnection implements Connection {

    /** Where the stream goes: the servlet response in the server, a recording in tests. */
    interface Output {
        /** Whether a write now does not block; when false, the output calls {@link #writable()} once it is. */
        boolean isReady();

        void write(byte[] bytes) throws IOException;

        void flush() throws IOException;

        /** Ends the response; safe to call more than once. */
        void end();
    }

    private static final Logger LOG = Logger.getLogger(SseConnection.class.getName());

    private final String preamble;
    private final SendBudget budget;
    private final long heartbeatNanos;
    private final ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicBoolean writableSignalled = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    /** The close event (or nothing, after an abort) is the last thing queued: end once the queue is written. */
    private volatile boolean finishing;
    private volatile Output output;
    private volatile boolean preambleWritten;
    private volatile CloseCode closeCode;
    private volatile String closeReason;
    private volatile long lastProgressNanos = System.nanoTime();
    private volatile long closingSinceNanos;
    private volatile ClientSession session;

    SseConnection(Duration retry, Duration heartbeat, long maxPendingBytes) {
        this(retry, heartbeat, maxPendingBytes, Long.MAX_VALUE);
    }

    SseConnection(Duration retry, Duration heartbeat, long maxPendingBytes, long maxPendingMessages) {
        this.preamble = SseFrames.retry(retry);
        this.heartbeatNanos = heartbeat.toNanos();
        this.budget = new SendBudget(maxPendingBytes, maxPendingMessages);
    }

    @Override
    public void send(String frame) {
        if (closing.get()) {
            return;
        }
        String type = SseFrames.type(frame);
        if (type == null) {
            return;
        }
        switch (type) {
            case "subscribed" -> enqueue(SseFrames.named(type, frame));
            // The stream's one subscription failed or was withdrawn: nothing more will come on it.
            case "error" -> failed(frame);
            case "unsubscribed" -> close(CloseCode.NORMAL, "the subscription ended");
            default -> {
                // welcome, ping and the answers to client frames mean nothing on a stream.
                if (!EventType.isReserved(type)) {
                    enqueue(SseFrames.event(type, SseFrames.seq(frame), frame));
                }
            }
        }
    }

    private void enqueue(String block) {
        if (!budget.reserve(block)) {
            close(CloseCode.SLOW_CONSUMER, "outgoing queue full: " + budget.describe() + "; reconnect and resume");
            return;
        }
        queue.add(block);
        pump();
    }

    private void failed(String errorFrame) {
        String message = "the subscription failed";
        ErrorCode code = ErrorCode.INTERNAL_ERROR;
        try (jakarta.json.JsonReader reader = jakarta.json.Json.createReader(new StringReader(errorFrame))) {
            jakarta.json.JsonObject error = reader.readObject();
            message = error.getString("message", message);
            if (ErrorCode.STORE_UNAVAILABLE.code().equals(error.getString("code", ""))) {
                code = ErrorCode.STORE_UNAVAILABLE;
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "unreadable error frame", e);
        }
        close(code == ErrorCode.STORE_UNAVAILABLE ? CloseCode.TRY_AGAIN_LATER : CloseCode.INTERNAL_ERROR, message);
    }

    /** Starts writing to the response: the {@code retry:} line, what queued up meanwhile, and everything after. */
    void start(Output out) {
        this.output = out;
        lastProgressNanos = System.nanoTime();
        pump();
    }

    /** The close that came before {@link #start}, if any, so the request can be refused with a problem instead. */
    Optional<CloseCode> closedBeforeStart() {
        return output == null && closing.get() ? Optional.ofNullable(closeCode) : Optional.empty();
    }

    /** The reason given with the close, if there was one. */
    String closeReason() {
        return closeReason;
    }

    /**
     * The session this stream serves, which learns the code of every close the stream makes by
     * itself (4009 when its queue overflows), for the audit and the slow-consumer count.
     */
    void closesReportTo(ClientSession session) {
        this.session = session;
    }

    /** The output can take more after {@link Output#isReady()} returned false. */
    void writable() {
        writableSignalled.set(true);
        pump();
    }

    private void pump() {
        Output out = output;
        if (out == null) {
            return;
        }
        while (writing.compareAndSet(false, true)) {
            boolean blocked;
            try {
                blocked = drain(out);
            } catch (IOException | RuntimeException e) {
                writing.set(false);
                LOG.log(Level.FINE, "SSE write failed", e);
                abort();
                return;
            }
            writing.set(false);
            if (blocked) {
                // writable() may have come before the flag was released, and found the pump busy.
                if (!writableSignalled.getAndSet(false)) {
                    return;
                }
            } else if (queue.isEmpty() && !(finishing && !ended.get())) {
                return;
            }
        }
    }

    /** Writes while the output is ready; true when it stopped because the output was not. */
    private boolean drain(Output out) throws IOException {
        boolean unflushed = false;
        while (!ended.get()) {
            writableSignalled.set(false);
            if (!out.isReady()) {
                return true;
            }
            String next;
            if (!preambleWritten) {
                preambleWritten = true;
                next = preamble;
            } else {
                next = queue.poll();
                if (next != null) {
                    budget.release(next);
                }
            }
            if (next == null) {
                if (unflushed) {
                    // Each batch leaves at once: an event must never sit in a buffer.
                    out.flush();
                    unflushed = false;
                    lastProgressNanos = System.nanoTime();
                    continue;
                }
                if (finishing) {
                    end();
                }
                return false;
            }
            out.write(next.getBytes(StandardCharsets.UTF_8));
            unflushed = true;
            lastProgressNanos = System.nanoTime();
        }
        return false;
    }

    /**
     * Called periodically for every stream: a comment after a quiet heartbeat period; a stream
     * that could not write anything for two periods, or that could not deliver its close event
     * within one, is ended.
     */
    void heartbeat(long nowNanos) {
        if (output == null || ended.get()) {
            return;
        }
        if (closing.get()) {
            if (nowNanos - closingSinceNanos >= heartbeatNanos) {
                end();
            }
            return;
        }
        long quiet = nowNanos - lastProgressNanos;
        if (quiet >= 2 * heartbeatNanos && (!queue.isEmpty() || writing.get())) {
            close(CloseCode.SLOW_CONSUMER, "nothing could be written for " + TimeUnit.NANOSECONDS.toMillis(quiet) + " ms");
        } else if (quiet >= heartbeatNanos && queue.isEmpty()) {
            budget.reserve(SseFrames.PING); // a comment never makes a slow consumer
            queue.add(SseFrames.PING);
            pump();
        }
    }

    @Override
    public boolean awaitWritable(Duration timeout) throws InterruptedException {
        return budget.awaitHalfEmpty(timeout, this::isOpen);
    }

    @Override
    public void close(CloseCode code, String reason) {
        ClientSession served = session;
        if (served != null && !closing.get()) {
            // Before isOpen() turns false: the connection monitor releases a closed session at once,
            // and the stream itself ends only once its close event is written.
            served.closedWith(code.code(), reason);
        }
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closeCode = code;
        closeReason = reason;
        closingSinceNanos = System.nanoTime();
        queue.clear();
        budget.wake();
        String last = SseFrames.close(code, reason);
        budget.reserve(last); // released when written, like every queued block
        queue.add(last);
        finishing = true;
        pump();
    }

    /** The client went away or the write failed: nothing more can reach it. */
    void abort() {
        closing.set(true);
        finishing = true;
        queue.clear();
        budget.wake();
        end();
    }

    private void end() {
        if (ended.compareAndSet(false, true)) {
            Output out = output;
            if (out != null) {
                out.end();
            }
        }
    }

    boolean isEnded() {
        return ended.get();
    }

    @Override
    public boolean isOpen() {
        return !closing.get() && !ended.get();
    }

    @Override
    public boolean receivesClientFrames() {
        return false;
    }

    @Override
    public String transport() {
        return "sse";
    }
}
