package dev.herald.application.session;

import dev.herald.application.security.Principal;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Sequence;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Herald's state for one client connection, whatever the transport: who it is, what it is
 * subscribed to, and the timestamps the heartbeat monitor reads. Lives in the
 * {@link SessionRegistry}, never in an endpoint instance.
 */
public final class ClientSession {

    private final String id;
    private final Connection connection;
    private final long openedAtMillis;
    private final Map<ChannelName, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final AtomicBoolean released = new AtomicBoolean();
    /** Held while a client frame is handled; the release takes it too, so the two never overlap. */
    private final ReentrantLock handling = new ReentrantLock();
    private final AtomicReference<Runnable> release = new AtomicReference<>();
    private final AtomicReference<Closing> closing = new AtomicReference<>();
    /** Frames queued so far; a field, not a counter object: fan-out touches it once per delivery. */
    private volatile long sent;
    private static final AtomicLongFieldUpdater<ClientSession> SENT = AtomicLongFieldUpdater.newUpdater(ClientSession.class, "sent");
    private final Optional<ChannelName> entryChannel;
    private final Optional<Sequence> entrySince;
    private volatile Principal principal;
    private volatile long lastReceivedMillis;
    private volatile long lastActivityMillis;
    private volatile long pingSentMillis;
    private volatile TokenBucket frameRate = TokenBucket.UNLIMITED;

    /**
     * @param entryChannel the channel of a single-channel URL, subscribed as soon as the client is authenticated
     * @param entrySince   the {@code since} of that URL
     */
    public ClientSession(String id, Connection connection, long nowMillis,
                         Optional<ChannelName> entryChannel, Optional<Sequence> entrySince) {
        this.id = id;
        this.connection = connection;
        this.entryChannel = entryChannel;
        this.entrySince = entrySince;
        this.openedAtMillis = nowMillis;
        this.lastReceivedMillis = nowMillis;
        this.lastActivityMillis = nowMillis;
    }

    public String id() {
        return id;
    }

    public Connection connection() {
        return connection;
    }

    /** The transport's name in the audit and the admin API: {@code websocket}, {@code sse}. */
    public String transport() {
        return connection.transport();
    }

    public void send(String frame) {
        SENT.incrementAndGet(this);
        connection.send(frame);
    }

    /** Frames queued for the client so far, events and control frames alike. */
    public long messagesSent() {
        return sent;
    }

    public void close(CloseCode code, String reason) {
        closedWith(code.code(), reason);
        connection.close(code, reason);
    }

    /** Why a connection ended, for the audit: the first close code and reason reported wins. */
    public record Closing(int code, String reason) {
    }

    /**
     * Notes why the connection ends, from the server's own close or from the transport's close
     * callback (the client's close code); only the first report counts.
     */
    public void closedWith(int code, String reason) {
        closing.compareAndSet(null, new Closing(code, reason == null ? "" : reason));
    }

    /** Why the connection ended, once known. */
    public Optional<Closing> closing() {
        return Optional.ofNullable(closing.get());
    }

    public long openedAtMillis() {
        return openedAtMillis;
    }

    public Optional<ChannelName> entryChannel() {
        return entryChannel;
    }

    public Optional<Sequence> entrySince() {
        return entrySince;
    }

    public Optional<Principal> principal() {
        return Optional.ofNullable(principal);
    }

    public boolean isAuthenticated() {
        return principal != null;
    }

    public void authenticate(Principal principal) {
        this.principal = principal;
    }

    /** The verified principal; only call once {@link #isAuthenticated()}. */
    public Principal requirePrincipal() {
        Principal p = principal;
        if (p == null) {
            throw new IllegalStateException("connection " + id + " is not authenticated");
        }
        return p;
    }

    public Map<ChannelName, Subscription> subscriptions() {
        return subscriptions;
    }

    public Collection<Subscription> activeSubscriptions() {
        return subscriptions.values();
    }

    /**
     * Records a frame from the client.
     *
     * @param activity false for heartbeat frames, which prove the connection alive but are not
     *                 client activity for the idle timeout
     */
    public void received(long nowMillis, boolean activity) {
        lastReceivedMillis = nowMillis;
        pingSentMillis = 0;
        if (activity) {
            lastActivityMillis = nowMillis;
        }
    }

    /** Limits the frames this client may send ({@code herald.limits.client-messages-per-second}). */
    public void limitFrames(TokenBucket rate) {
        this.frameRate = rate;
    }

    /** Counts one frame from the client; false when it is over its rate. */
    public boolean admitFrame(long nowMillis) {
        return frameRate.tryTake(nowMillis);
    }

    public long lastReceivedMillis() {
        return lastReceivedMillis;
    }

    public long lastActivityMillis() {
        return lastActivityMillis;
    }

    /** When the outstanding server ping was sent; 0 when none is outstanding. */
    public long pingSentMillis() {
        return pingSentMillis;
    }

    public void pingSent(long nowMillis) {
        pingSentMillis = nowMillis;
    }

    /**
     * Handles one client frame (or the handshake's authentication). Frames and the release of a
     * session never overlap: containers run the close callback on whatever thread closed the
     * connection, concurrently with a frame still being handled, and that frame (an ack above all)
     * must see the session as it was when it arrived. A release requested meanwhile runs on this
     * thread as soon as the frame is done.
     */
    public void handle(Runnable work) {
        handling.lock();
        try {
            work.run();
        } finally {
            handling.unlock();
        }
        releaseIfRequested();
    }

    /**
     * Runs {@code work} once, as the session's release: now when no frame is being handled, else
     * right after that frame, on the thread handling it. Never waits, so a thread closing another
     * session cannot deadlock with it.
     */
    void release(Runnable work) {
        release.compareAndSet(null, work);
        releaseIfRequested();
    }

    private void releaseIfRequested() {
        // Requested before tryLock, and handle() checks after its unlock: one of the two sees the other.
        Runnable work = release.get();
        if (work == null || released.get() || handling.isHeldByCurrentThread() || !handling.tryLock()) {
            return;
        }
        try {
            if (released.compareAndSet(false, true)) {
                work.run();
            }
        } finally {
            handling.unlock();
        }
    }

    public boolean isReleased() {
        return released.get();
    }
}
