package dev.herald.interfaces.websocket;

import dev.herald.application.session.CloseCode;
import dev.herald.application.session.Connection;
import dev.herald.application.session.SendBudget;
import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A JSR-356 session as a {@link Connection}: a bounded queue of outgoing frames written one at a
 * time with the asynchronous remote, so a slow socket costs queue space, never a blocked thread. A
 * connection whose queue exceeds {@code herald.limits.max-pending-bytes} or
 * {@code herald.limits.max-pending-messages} is closed as a slow consumer (4009) and recovers by
 * replay when it reconnects.
 *
 * <p>The container's send completion does not mean the client read anything: Tyrus on Grizzly
 * completes a send once the frame is in Grizzly's write queue, which grows without limit for a
 * client that stopped reading. So the connection also counts the bytes the client has not yet
 * proved it read: every quarter of {@code max-pending-bytes} written it sends a WebSocket ping
 * carrying the byte count so far; the client's automatic pong (RFC 6455 5.5.3, sent once it has
 * read everything before the ping) brings the count back. Written but unconfirmed bytes count
 * against the same limit as the queue.
 *
 * <p>Each frame is framed once for every connection it goes to ({@link WireFrame}) and written as
 * bytes to the container's writer when it offers one ({@link TyrusWriters}); several frames waiting
 * for a client that is behind go out in one write. Otherwise frames go through the standard
 * {@code sendText}. Either way one write is in flight at a time, and whichever thread completes it
 * starts the next, without recursion and without a per-write allocation on the raw path.
 */
final class WebSocketConnection implements Connection, FrameWriter.Done {

    private static final Logger LOG = Logger.getLogger(WebSocketConnection.class.getName());
    /** RFC 6455 section 5.5: a close frame's reason fits in 123 bytes. */
    private static final int MAX_REASON_BYTES = 123;
    /** At most this many bytes of waiting frames go out in one write to a client that is behind. */
    static final int MAX_COALESCED_BYTES = 64 * 1024;

    /** No write in flight. */
    private static final int IDLE = 0;
    /** A write is being issued, or in flight; the thread that holds this state is the only writer. */
    private static final int WRITING = 1;
    /** The write completed while its issuing thread was still inside the container's call: that thread goes on. */
    private static final int COMPLETED = 2;
    /** The issuing thread returned before the write completed: the completing thread goes on. */
    private static final int RETURNED = 3;

    private final Session session;
    private final RemoteEndpoint.Async remote;
    /** The container's raw writer for this session; null when frames go through {@link #remote}. */
    private final FrameWriter raw;
    private final SendBudget budget;
    private final ConcurrentLinkedQueue<WireFrame> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger state = new AtomicInteger(IDLE);
    private final AtomicBoolean closing = new AtomicBoolean();
    /** The standard path's completion, one per connection; null on the raw path. */
    private final SendHandler sentHandler;
    /** The user property under which the JSR-356 session holds its connection, for pongs. */
    static final String CONNECTION = "herald.connection";

    /** The write in flight: its frames and their UTF-8 payload bytes. Only the writer touches them. */
    private int inFlightFrames;
    private long inFlightBytes;
    /** UTF-8 bytes of the frames the container accepted; grows only from {@link #written()}, one write at a time. */
    private volatile long writtenBytes;
    /** The largest byte count a pong brought back: the client has read at least this much. */
    private final AtomicLong confirmed = new AtomicLong();
    /** {@link #writtenBytes} when the last probing ping was sent. */
    private volatile long probed;

    WebSocketConnection(Session session, long maxPendingBytes) {
        this(session, maxPendingBytes, Long.MAX_VALUE);
    }

    WebSocketConnection(Session session, long maxPendingBytes, long maxPendingMessages) {
        this(session, maxPendingBytes, maxPendingMessages, TyrusWriters::open);
    }

    /** @param writers the raw path for this session, if it has one (tests give their own) */
    WebSocketConnection(Session session, long maxPendingBytes, long maxPendingMessages, FrameWriter.Factory writers) {
        this.session = session;
        this.remote = session.getAsyncRemote();
        this.budget = new SendBudget(maxPendingBytes, maxPendingMessages);
        this.raw = writers.open(session, this);
        this.sentHandler = raw == null ? this::sent : null;
        session.getUserProperties().put(CONNECTION, this);
    }

    /** A pong from the client; one that echoes a probe confirms the bytes read. */
    static void pong(Session session, ByteBuffer data) {
        if (session.getUserProperties().get(CONNECTION) instanceof WebSocketConnection connection && data.remaining() == Long.BYTES) {
            connection.confirmed.accumulateAndGet(data.getLong(data.position()), Math::max);
        }
    }

    /** Bytes written to the container that the client has not confirmed reading. */
    long unconfirmed() {
        return writtenBytes - confirmed.get();
    }

    /** What the outgoing queue holds, as a human reads it. */
    String queued() {
        return budget.describe();
    }

    /** Whether frames go to the container's writer as pre-framed bytes (else through {@code sendText}). */
    boolean writesRawFrames() {
        return raw != null;
    }

    @Override
    public void send(String text) {
        if (closing.get()) {
            return;
        }
        WireFrame frame = WireFrame.of(text);
        if (!budget.reserve(frame.payloadLength()) || unconfirmed() > budget.max()) {
            close(CloseCode.SLOW_CONSUMER, "outgoing queue full: " + budget.describe() + "; reconnect and resume");
            return;
        }
        if (state.compareAndSet(IDLE, WRITING)) {
            if (queue.isEmpty()) {
                writeWhileHolding(frame); // the common case in fan-out: no queue node, straight to the writer
                return;
            }
            queue.add(frame);
            writeWhileHolding(null);
            return;
        }
        queue.add(frame);
        pump();
    }

    private void pump() {
        if (!closing.get() && !queue.isEmpty() && state.compareAndSet(IDLE, WRITING)) {
            writeWhileHolding(null);
        }
    }

    /**
     * Writes {@code first}, then whatever is queued, while this thread holds the writer's turn
     * ({@code state} is WRITING on entry). Returns once the queue is empty, or a write is in flight
     * that another thread will complete (and go on from).
     */
    private void writeWhileHolding(WireFrame first) {
        WireFrame next = first;
        while (true) {
            if (closing.get()) {
                state.set(IDLE);
                return;
            }
            boolean issued = next != null ? issue(next) : issueQueued();
            next = null;
            if (!issued) {
                state.set(IDLE);
                // A frame queued after the poll and before the release must not wait for the next send.
                if (queue.isEmpty() || !state.compareAndSet(IDLE, WRITING)) {
                    return;
                }
                continue;
            }
            if (state.compareAndSet(WRITING, RETURNED)) {
                return; // still in flight: its completion goes on
            }
            state.set(WRITING); // it completed during the call: this thread keeps the turn
        }
    }

    private boolean issueQueued() {
        WireFrame head = queue.poll();
        if (head == null) {
            return false;
        }
        if (raw == null || queue.peek() == null) {
            return issue(head);
        }
        // A client that is behind: its waiting frames go out in one write (one flush, one syscall).
        List<WireFrame> batch = new ArrayList<>();
        batch.add(head);
        int size = head.bytes().length;
        WireFrame more;
        while (size < MAX_COALESCED_BYTES && (more = queue.peek()) != null && size + more.bytes().length <= MAX_COALESCED_BYTES) {
            batch.add(queue.poll());
            size += more.bytes().length;
        }
        if (batch.size() == 1) {
            return issue(head);
        }
        byte[] joined = new byte[size];
        long payload = 0;
        int at = 0;
        for (WireFrame frame : batch) {
            System.arraycopy(frame.bytes(), 0, joined, at, frame.bytes().length);
            at += frame.bytes().length;
            payload += frame.payloadLength();
        }
        return issue(ByteBuffer.wrap(joined), batch.size(), payload, null);
    }

    private boolean issue(WireFrame frame) {
        return issue(raw == null ? null : ByteBuffer.wrap(frame.bytes()), 1, frame.payloadLength(), frame.text());
    }

    /** Hands one write to the container; its completion arrives in {@link #written()} or {@link #failed}. */
    private boolean issue(ByteBuffer bytes, int frames, long payload, String text) {
        inFlightFrames = frames;
        inFlightBytes = payload;
        try {
            if (raw != null) {
                if (!session.isOpen()) {
                    // The container closed the session (the client's close, a failed read): write nothing after it.
                    failed(new IOException("session closed"));
                    return true;
                }
                raw.write(bytes);
            } else {
                remote.sendText(text, sentHandler);
            }
        } catch (RuntimeException e) {
            failed(e);
        }
        return true;
    }

    private void sent(SendResult result) {
        if (result.isOK()) {
            written();
        } else {
            failed(result.getException());
        }
    }

    /** The write in flight was taken by the container. */
    @Override
    public void written() {
        writtenBytes += inFlightBytes;
        if (writtenBytes - probed >= budget.max() / 4) {
            probe(); // still the only writer: the turn is held until below
        }
        budget.release(inFlightBytes, inFlightFrames);
        goOn();
    }

    /** The write in flight failed: the socket is gone. */
    @Override
    public void failed(Throwable error) {
        LOG.log(Level.FINE, "send failed on " + session.getId(), error);
        abort();
        goOn();
    }

    /** After a write's completion: its issuing thread goes on if it is still in the call, else this one. */
    private void goOn() {
        if (state.compareAndSet(WRITING, COMPLETED)) {
            return;
        }
        state.set(WRITING);
        writeWhileHolding(null);
    }

    private void probe() {
        probed = writtenBytes;
        try {
            remote.sendPing(ByteBuffer.allocate(Long.BYTES).putLong(0, writtenBytes));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "ping on " + session.getId() + " failed", e);
        }
    }

    @Override
    public boolean awaitWritable(Duration timeout) throws InterruptedException {
        return budget.awaitHalfEmpty(timeout, this::isOpen);
    }

    @Override
    public void close(CloseCode code, String reason) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        queue.clear();
        budget.wake();
        try {
            session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code.code()), truncate(reason)));
        } catch (IOException | IllegalStateException e) {
            LOG.log(Level.FINE, "close of " + session.getId() + " failed", e);
        }
    }

    /** The socket failed under us: stop queuing and let the container report the close. */
    private void abort() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        queue.clear();
        budget.wake();
        if (session.isOpen()) {
            try {
                session.close(new CloseReason(CloseReason.CloseCodes.UNEXPECTED_CONDITION, "send failed"));
            } catch (IOException | IllegalStateException e) {
                LOG.log(Level.FINE, "close after failed send on " + session.getId() + " failed", e);
            }
        }
    }

    @Override
    public boolean isOpen() {
        return !closing.get() && session.isOpen();
    }

    static String truncate(String reason) {
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_REASON_BYTES) {
            return reason;
        }
        String cut = new String(bytes, 0, MAX_REASON_BYTES, StandardCharsets.UTF_8);
        // A multi-byte character cut in half decodes to U+FFFD, which is 3 bytes: drop it.
        while (cut.getBytes(StandardCharsets.UTF_8).length > MAX_REASON_BYTES) {
            cut = cut.substring(0, cut.length() - 1);
        }
        return cut;
    }
}
