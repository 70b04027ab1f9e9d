package dev.herald.bench.client;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.concurrent.CompletableFuture;

/**
 * One client connection subscribed to one channel through a single-channel URL, and what it saw:
 * its {@link SequenceChecker}, its close code, its errors. Fields change only on the
 * connection's event loop; {@link LoadClient#quiesce()} makes them safe to read elsewhere.
 */
public final class Subscriber {

    /** Notified of every event that is not a duplicate, on the event loop. */
    public interface Listener {
        void onEvent(Subscriber subscriber, EventFrame event, long receivedNanos);
    }

    private final int index;
    private final String channel;
    private final String token;
    volatile Channel connection;
    volatile CompletableFuture<Subscriber> subscribed = new CompletableFuture<>();
    private SequenceChecker checker;
    private long openedNanos;
    private long subscribedNanos;
    private int closeCode = -1;
    private int errors;
    private int notRecovered;
    private String lastProblem;

    public Subscriber(int index, String channel, String token) {
        this.index = index;
        this.channel = channel;
        this.token = token;
    }

    public int index() {
        return index;
    }

    public String channel() {
        return channel;
    }

    String token() {
        return token;
    }

    /** The URL path: {@code /ws/{namespace}/{id}}, with {@code ?since=} when resuming. */
    String path() {
        int colon = channel.indexOf(':');
        String base = "/ws/" + channel.substring(0, colon) + "/" + channel.substring(colon + 1);
        return checker == null ? base : base + "?since=" + checker.position();
    }

    void onConnecting(long nanos) {
        openedNanos = nanos;
        closeCode = -1;
        subscribed = new CompletableFuture<>();
    }

    void onText(String text, long nanos, LoadClient client) {
        EventFrame frame = EventFrame.parse(text);
        switch (frame.type()) {
            case "welcome", "pong" -> { }
            case "subscribed" -> {
                if (checker == null) {
                    checker = new SequenceChecker(frame.seq());
                } else if (!frame.recovered()) {
                    notRecovered++;
                }
                subscribedNanos = nanos;
                subscribed.complete(this);
            }
            case "ping" -> connection.writeAndFlush(new TextWebSocketFrame("{\"type\":\"pong\"}"));
            case "error" -> {
                errors++;
                lastProblem = text;
            }
            default -> {
                if (frame.isEvent()) {
                    client.onEvent(this, frame, nanos);
                }
            }
        }
    }

    /** Checks one event's sequence; false for a duplicate. */
    boolean accept(EventFrame frame) {
        if (checker == null) {
            checker = new SequenceChecker(frame.seq() - 1);
            notRecovered++;
        }
        return checker.accept(frame.seq()) != SequenceChecker.Arrival.DUPLICATE;
    }

    /** The close code of connection attempt {@code attempt}; ignored once a newer attempt began. */
    void onClose(CompletableFuture<Subscriber> attempt, int code) {
        if (attempt != subscribed) {
            return;
        }
        closeCode = code;
    }

    /** A failure of connection attempt {@code attempt}; ignored once a newer attempt began. */
    void onProblem(CompletableFuture<Subscriber> attempt, String problem) {
        if (attempt != subscribed) {
            return;
        }
        if (lastProblem == null || !subscribed.isDone()) {
            lastProblem = problem;
        }
        subscribed.completeExceptionally(new IllegalStateException(problem));
    }

    /** The sequence checker, or null before the first {@code subscribed}. */
    public SequenceChecker checker() {
        return checker;
    }

    /** True when the latest connection attempt got its {@code subscribed} frame. */
    public boolean subscribedNow() {
        CompletableFuture<Subscriber> latest = subscribed;
        return latest.isDone() && !latest.isCompletedExceptionally();
    }

    /** True while the connection is open. */
    public boolean open() {
        Channel c = connection;
        return c != null && c.isActive();
    }

    public long openedNanos() {
        return openedNanos;
    }

    public long subscribedNanos() {
        return subscribedNanos;
    }

    /** The close code the server sent, -1 when none. */
    public int closeCode() {
        return closeCode;
    }

    public int errors() {
        return errors;
    }

    /** Resubscriptions answered {@code recovered:false} (history lost). */
    public int notRecovered() {
        return notRecovered;
    }

    public String lastProblem() {
        return lastProblem;
    }
}
