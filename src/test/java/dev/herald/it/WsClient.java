package dev.herald.it;

import jakarta.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static dev.herald.testing.Frames.parse;

/**
 * A real WebSocket client (the JDK's) that records every text frame and the close code, with
 * deadline-bounded waits. Unlike the JDK default, it never answers server pings on its own:
 * Herald's heartbeat is JSON frames, which the test answers or ignores on purpose.
 */
public final class WsClient implements WebSocket.Listener, AutoCloseable {

    public static final Duration WAIT = Duration.ofSeconds(15);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final List<String> frames = new ArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private WebSocket socket;
    private volatile String closeReason;

    private WsClient() {
    }

    public static WsClient connect(URI uri) {
        return connect(uri, Map.of());
    }

    public static WsClient connect(URI uri, Map<String, String> headers) {
        WsClient client = new WsClient();
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(WAIT);
        headers.forEach(builder::header);
        client.socket = builder.buildAsync(uri, client).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        return client;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        synchronized (this) {
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
                notifyAll();
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeReason = reason;
        closed.complete(statusCode);
        synchronized (this) {
            notifyAll();
        }
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(1006);
        synchronized (this) {
            notifyAll();
        }
    }

    public WsClient send(String frame) {
        socket.sendText(frame, true).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        return this;
    }

    public synchronized List<String> frames() {
        return List.copyOf(frames);
    }

    /** The first frame matching, waiting up to {@link #WAIT}. */
    public JsonObject await(Predicate<JsonObject> match) throws InterruptedException {
        return awaitAll(match, 1).get(0);
    }

    /** The first {@code count} frames matching, in arrival order. */
    public synchronized List<JsonObject> awaitAll(Predicate<JsonObject> match, int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            List<JsonObject> found = frames.stream().map(f -> parse(f)).filter(match).limit(count).toList();
            if (found.size() == count) {
                return found;
            }
            long left = deadline - System.nanoTime();
            // Frames are delivered before the close, so a closed connection will bring no more.
            if (left <= 0 || closed.isDone()) {
                throw new AssertionError("got " + found.size() + " of " + count + " matching frames within " + WAIT
                        + (closed.isDone() ? " (closed " + closed.getNow(null) + ")" : "") + "; last frames: "
                        + frames.subList(Math.max(0, frames.size() - 5), frames.size()));
            }
            TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
        }
    }

    public JsonObject awaitType(String type) throws InterruptedException {
        return await(ofType(type));
    }

    /** Waits for the server to close the connection and returns the close code. */
    public int awaitClose() {
        return awaitClose(WAIT);
    }

    public int awaitClose(Duration timeout) {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("connection not closed within " + timeout + "; frames: " + frames(), e);
        }
    }

    /** The reason of the server's close frame, once {@link #awaitClose} returned. */
    public String closeReason() {
        return closeReason;
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    public static Predicate<JsonObject> ofType(String type) {
        return o -> type.equals(o.getString("type", null));
    }

    public static Predicate<JsonObject> eventOn(String channel) {
        return o -> o.containsKey("seq") && channel.equals(o.getString("channel", null))
                && !"subscribed".equals(o.getString("type")) && !"published".equals(o.getString("type"));
    }

    public static long seq(JsonObject o) {
        return o.getJsonNumber("seq").longValue();
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS)
                    .exceptionally(e -> null).join();
            socket.abort();
        }
    }

    /**
     * Closes with 1000 and waits for Herald's answering close frame, which completes the close
     * handshake; returns the code Herald answered with.
     */
    public int closeHandshake() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        int code = awaitClose();
        socket.abort();
        return code;
    }

    /** Drops the TCP connection without a close handshake, like a network failure. */
    public void abort() {
        socket.abort();
    }
}
