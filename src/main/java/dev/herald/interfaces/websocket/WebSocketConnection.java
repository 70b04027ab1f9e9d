package dev.herald.interfaces.websocket;

import dev.herald.application.session.CloseCode;
import dev.herald.application.session.Connection;
import dev.herald.application.session.SendBudget;
import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
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
 */
final class WebSocketConnection implements Connection {

    private static final Logger LOG = Logger.getLogger(WebSocketConnection.class.getName());
    /** RFC 6455 section 5.5: a close frame's reason fits in 123 bytes. */
    private static final int MAX_REASON_BYTES = 123;

    private final Session session;
    private final RemoteEndpoint.Async remote;
    private final SendBudget budget;
    private final ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    /**
     * The connection whose {@link #pump()} loop runs on this thread. A send that completes on the
     * thread that started it leaves the next write to that loop instead of recursing into it.
     */
    private static final ThreadLocal<WebSocketConnection> PUMPING = new ThreadLocal<>();
    /** The user property under which the JSR-356 session holds its connection, for pongs. */
    static final String CONNECTION = "herald.connection";

    /** UTF-8 bytes of the frames the container accepted; grows only from {@link #sent}, one write at a time. */
    private volatile long written;
    /** The largest byte count a pong brought back: the client has read at least this much. */
    private final AtomicLong confirmed = new AtomicLong();
    /** {@link #written} when the last probing ping was sent. */
    private volatile long probed;

    WebSocketConnection(Session session, long maxPendingBytes) {
        this(session, maxPendingBytes, Long.MAX_VALUE);
    }

    WebSocketConnection(Session session, long maxPendingBytes, long maxPendingMessages) {
        this.session = session;
        this.remote = session.getAsyncRemote();
        this.budget = new SendBudget(maxPendingBytes, maxPendingMessages);
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
        return written - confirmed.get();
    }

    @Override
    public void send(String frame) {
        if (closing.get()) {
            return;
        }
        if (!budget.reserve(frame) || unconfirmed() > budget.max()) {
            close(CloseCode.SLOW_CONSUMER, "outgoing queue full: " + budget.describe() + "; reconnect and resume");
            return;
        }
        queue.add(frame);
        pump();
    }

    private void pump() {
        WebSocketConnection outer = PUMPING.get();
        PUMPING.set(this);
        try {
            while (!closing.get() && writing.compareAndSet(false, true)) {
                String next = queue.poll();
                if (next == null) {
                    writing.set(false);
                    if (queue.isEmpty()) {
                        return;
                    }
                    continue;
                }
                try {
                    remote.sendText(next, result -> sent(next, result));
                } catch (RuntimeException e) {
                    sent(next, new SendResult(e));
                }
            }
        } finally {
            PUMPING.set(outer);
        }
    }

    private void sent(String frame, SendResult result) {
        if (!result.isOK()) {
            writing.set(false);
            LOG.log(Level.FINE, "send failed on " + session.getId(), result.getException());
            abort();
            return;
        }
        written += SendBudget.utf8Length(frame);
        if (written - probed >= budget.max() / 4) {
            probe(); // still the only writer: writing is set until below
        }
        writing.set(false);
        budget.release(frame);
        if (PUMPING.get() != this) {
            pump();
        }
    }

    private void probe() {
        probed = written;
        try {
            remote.sendPing(ByteBuffer.allocate(Long.BYTES).putLong(0, written));
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
        closing.set(true);
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
