package dev.herald.application.session;

import java.time.Duration;

/**
 * One client transport (a WebSocket or an SSE stream), as the application sees it.
 * Implementations queue outgoing frames so that a slow socket never blocks the caller.
 */
public interface Connection {

    /** Queues a frame; frames go out in the order queued. Never blocks. Ignored once closed. */
    void send(String frame);

    /**
     * Blocks until the outgoing queue is at most half full, for producers that can wait (replay).
     *
     * @return false when the queue did not drain within the timeout or the connection closed
     */
    boolean awaitWritable(Duration timeout) throws InterruptedException;

    /** Closes with the given code; the reason text is shown to the client and must hold no secret. */
    void close(CloseCode code, String reason);

    boolean isOpen();

    /**
     * The transport's name in the audit and the admin API. Every transport other than WebSocket
     * overrides it ({@code sse}).
     */
    default String transport() {
        return "websocket";
    }

    /**
     * Whether the client sends frames on this transport. An SSE stream does not: the server's
     * ping, the heartbeat timeout and the idle timeout do not apply to it, and the transport finds
     * a dead client itself, when a heartbeat write fails.
     */
    default boolean receivesClientFrames() {
        return true;
    }
}
