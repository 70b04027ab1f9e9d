package dev.herald.interfaces.sse;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;

import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Keeps Payara's own write queue out of an SSE stream's way. Payara Micro's HTTP layer (Grizzly)
 * lets a connection queue four times the socket's send buffer before
 * {@code ServletOutputStream.isReady()} turns false, and Linux sizes that buffer in megabytes on a
 * fast link (about 2.6 MB over loopback). Measured over loopback, a client that stopped reading held
 * about 8 MB of events (37 MB of heap) in that queue before its stream saw any back-pressure, and
 * 1,000 such clients ran a 512 MiB server out of heap before any of their streams' own queues filled.
 * Herald can neither count nor bound that memory, so a stream sets its connection's queue limit to
 * zero: {@code isReady()} is then true only while everything written so far has been handed to the
 * kernel, and what a slow client has not taken waits in {@link SseConnection}'s queue, against
 * {@code herald.limits.max-pending-bytes} ({@code SlowSseReadersIT}).
 *
 * <p>Grizzly offers the limit only on its own connection class, reached here by reflection from
 * the request through public methods of Payara's request classes. On another container, or on an
 * HTTP/2 stream, whose connection other streams share, nothing changes. The limit stays with the
 * connection for whatever request it serves next (a reconnecting EventSource's next stream, as a
 * rule); it only makes a writer wait for the kernel sooner.
 */
final class GrizzlyWriteQueue {

    private static final Logger LOG = Logger.getLogger(GrizzlyWriteQueue.class.getName());
    private static final AtomicBoolean REPORTED = new AtomicBoolean();

    private GrizzlyWriteQueue() {
    }

    /**
     * Limits the write queue of the request's connection to nothing beyond the write in hand.
     *
     * @return whether the container took the limit
     */
    static boolean keepEmpty(ServletRequest request) {
        ServletRequest container = request;
        while (container instanceof ServletRequestWrapper wrapper) {
            container = wrapper.getRequest();
        }
        if (!"HTTP/1.1".equals(request.getProtocol())) {
            return false;
        }
        try {
            // Payara's RequestFacade -> Catalina Request -> Grizzly Request -> Grizzly Connection
            Object catalina = call(container, "getUnwrappedCoyoteRequest");
            Object grizzly = call(catalina, "getCoyoteRequest");
            Object connection = call(grizzly, "getConnection");
            connection.getClass().getMethod("setMaxAsyncWriteQueueSize", int.class).invoke(connection, 0);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (REPORTED.compareAndSet(false, true)) {
                String type = container.getClass().getName();
                LOG.info(() -> "SSE streams keep the container's default write queue (" + type + " does not lead to "
                        + "Payara's Grizzly connection: " + e + "); a client that stops reading can hold that queue's "
                        + "memory before herald.limits.max-pending-bytes applies");
            }
            return false;
        }
    }

    private static Object call(Object target, String method) throws ReflectiveOperationException {
        try {
            Object result = target.getClass().getMethod(method).invoke(target);
            if (result == null) {
                throw new NoSuchMethodException(method + " returned null on " + target.getClass().getName());
            }
            return result;
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw e;
        }
    }
}
