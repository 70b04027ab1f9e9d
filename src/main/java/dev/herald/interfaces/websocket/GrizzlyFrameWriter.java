package dev.herald.interfaces.websocket;

import org.glassfish.grizzly.CompletionHandler;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.asyncqueue.AsyncQueueWriter;
import org.glassfish.grizzly.asyncqueue.WritableMessage;
import org.glassfish.grizzly.filterchain.Filter;
import org.glassfish.grizzly.filterchain.FilterChain;
import org.glassfish.grizzly.memory.ByteBufferWrapper;
import org.glassfish.grizzly.nio.NIOTransport;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;

/**
 * A {@link FrameWriter} onto the write queue of the Grizzly connection under a WebSocket, the way
 * Grizzly's own transport filter writes: once the connection is upgraded nothing in the HTTP filters
 * changes the bytes, and going through them (the servlet stream, its buffer, the filter chain) cost
 * more than half of a delivery. A write completes when the bytes are in the socket, so a client that
 * stops reading holds one write in flight and the rest waits in the connection's own bounded queue.
 *
 * <p>The only class that names Grizzly's types: {@link TyrusWriters} loads it inside a guard. Only
 * for connections whose filter chain holds no TLS filter, which would have to encrypt the bytes.
 */
final class GrizzlyFrameWriter implements FrameWriter {

    private final Connection<SocketAddress> connection;
    private final AsyncQueueWriter<SocketAddress> queue;
    private final Completion completion;

    private GrizzlyFrameWriter(Connection<SocketAddress> connection, AsyncQueueWriter<SocketAddress> queue, Done done) {
        this.connection = connection;
        this.queue = queue;
        this.completion = new Completion(done);
    }

    /**
     * A writer onto {@code candidate}'s write queue, or null after telling {@code refused} why
     * there is none: not a Grizzly NIO connection as this class loader sees it, or a filter in its
     * chain that would change the bytes.
     */
    @SuppressWarnings("unchecked")
    static FrameWriter open(Object candidate, Done done, java.util.function.Consumer<String> refused) {
        if (!(candidate instanceof Connection<?> connection)) {
            refused.accept(candidate.getClass().getName() + " (loader " + candidate.getClass().getClassLoader()
                    + ") is not " + Connection.class.getName() + " (loader " + Connection.class.getClassLoader() + ")");
            return null;
        }
        if (!(connection.getTransport() instanceof NIOTransport transport)) {
            refused.accept("its transport " + connection.getTransport() + " is not an NIO transport");
            return null;
        }
        // A connection has its own processor only when one was set for it; else the transport's applies.
        Object processor = connection.getProcessor() != null ? connection.getProcessor() : transport.getProcessor();
        if (!(processor instanceof FilterChain chain)) {
            refused.accept("its processor " + processor + " is not a filter chain");
            return null;
        }
        if (transformsWrites(chain)) {
            refused.accept("its filter chain encrypts what it writes: " + chain);
            return null;
        }
        AsyncQueueWriter<?> writer = transport.getAsyncQueueIO().getWriter();
        return new GrizzlyFrameWriter((Connection<SocketAddress>) connection, (AsyncQueueWriter<SocketAddress>) writer, done);
    }

    /**
     * Whether a filter in the chain encrypts what passes (TLS): bytes written beneath it would go
     * out in clear. HTTP/2's filter may sit in the chain too; it leaves an HTTP/1.1 connection's
     * writes alone, and a WebSocket upgrade only ever happens on one.
     */
    static boolean transformsWrites(Iterable<Filter> chain) {
        for (Filter filter : chain) {
            String name = filter.getClass().getSimpleName();
            if (name.contains("SSL") || name.contains("Ssl") || name.contains("Tls") || name.contains("TLS")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void write(ByteBuffer frames) {
        queue.write(connection, new ByteBufferWrapper(frames), completion);
    }

    /** One per connection, reused by every write: a connection has one write in flight at a time. */
    private static final class Completion implements CompletionHandler<WriteResult<WritableMessage, SocketAddress>> {
        private final Done done;

        Completion(Done done) {
            this.done = done;
        }

        @Override
        public void completed(WriteResult<WritableMessage, SocketAddress> result) {
            done.written();
        }

        @Override
        public void failed(Throwable throwable) {
            done.failed(throwable);
        }

        @Override
        public void cancelled() {
            done.failed(new CancellationException("write cancelled by the container"));
        }

        @Override
        public void updated(WriteResult<WritableMessage, SocketAddress> result) {
            // partial progress: the write completes later
        }
    }
}
