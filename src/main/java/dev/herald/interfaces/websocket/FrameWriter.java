package dev.herald.interfaces.websocket;

import java.nio.ByteBuffer;

/**
 * Writes whole, already framed WebSocket frames to one connection, beside the container's own send
 * path: {@link WebSocketConnection} frames an event once and hands the same bytes to every
 * subscriber's writer. One write at a time per connection; each write reports to the connection's
 * {@link Done} exactly once, on the writing thread or later on another.
 */
interface FrameWriter {

    /** Where a writer reports the end of each write. */
    interface Done {
        /** The container took the bytes (queued for the socket; not proof that the client read them). */
        void written();

        void failed(Throwable error);
    }

    /** Writes the frames in {@code frames} (position to limit); the buffer is not changed. */
    void write(ByteBuffer frames);

    /** Makes a writer for one WebSocket session, or returns null when the session offers no raw path. */
    interface Factory {
        FrameWriter open(jakarta.websocket.Session session, Done done);
    }
}
