package dev.herald.interfaces.sse;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;

import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An asynchronous servlet response in non-blocking mode as an SSE stream's output. The container
 * calls back when the socket can take more ({@link WriteListener}) and when the response ends or
 * fails ({@link AsyncListener}): a client that went away shows up here, at the latest when the next
 * heartbeat write fails.
 */
final class ServletOutput implements SseConnection.Output, WriteListener, AsyncListener {

    private static final Logger LOG = Logger.getLogger(ServletOutput.class.getName());

    private final AsyncContext async;
    private final ServletOutputStream out;
    private final SseConnection connection;
    private final Runnable ended;
    private final Executor executor;

    /**
     * @param ended    runs once when the response is over, whoever ended it
     * @param executor where the response is completed (see {@link #end()})
     */
    ServletOutput(AsyncContext async, ServletOutputStream out, SseConnection connection, Runnable ended, Executor executor) {
        this.async = async;
        this.executor = executor;
        this.out = out;
        this.connection = connection;
        this.ended = ended;
    }

    @Override
    public boolean isReady() {
        return out.isReady();
    }

    @Override
    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /**
     * Completes the response off the caller's thread: a close often comes from a request thread
     * serving another client (a newer connection evicting this one), and completing one request's
     * async context on another request's thread confuses Weld's request context tracking in Payara
     * (WELD-000714/000225 warnings, payara/Payara#3851).
     */
    @Override
    public void end() {
        try {
            executor.execute(this::complete);
        } catch (RejectedExecutionException e) {
            complete(); // shutting down
        }
    }

    private void complete() {
        try {
            async.complete();
        } catch (IllegalStateException e) {
            LOG.log(Level.FINE, "SSE response already over", e);
        }
    }

    @Override
    public void onWritePossible() {
        connection.writable();
    }

    @Override
    public void onError(Throwable t) {
        LOG.log(Level.FINE, "SSE write failed", t);
        connection.abort();
    }

    @Override
    public void onComplete(AsyncEvent event) {
        connection.abort();
        ended.run();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        connection.abort();
    }

    @Override
    public void onError(AsyncEvent event) {
        LOG.log(Level.FINE, "SSE response failed", event.getThrowable());
        connection.abort();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // the stream starts async once
    }
}
