package dev.herald.it;

import jakarta.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static dev.herald.testing.Frames.parse;

/**
 * A real HTTP client (the JDK's) reading a text/event-stream line by line the way EventSource
 * parses it: fields of an event until a blank line, comments kept apart. Waits are bounded by
 * deadlines.
 */
public final class SseClient implements AutoCloseable {

    public static final Duration WAIT = WsClient.WAIT;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(WAIT).build();

    /** One dispatched event: its fields as sent ({@code id} null when the event had none). */
    public record Event(String id, String event, String data) {
        public JsonObject json() {
            return parse(data);
        }
    }

    private final HttpResponse<Stream<String>> response;
    private final List<String> lines = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();
    private final List<String> comments = new ArrayList<>();
    private String retry;
    private boolean ended;

    private SseClient(HttpResponse<Stream<String>> response) {
        this.response = response;
    }

    /** Sends the request with {@code Accept: text/event-stream} and returns once the response headers are in. */
    public static SseClient open(URI uri, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
        headers.forEach(request::header);
        HttpResponse<Stream<String>> response = HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines())
                .orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        SseClient client = new SseClient(response);
        Thread reader = new Thread(client::read, "sse-client " + uri.getPath());
        reader.setDaemon(true);
        reader.start();
        return client;
    }

    private void read() {
        String id = null;
        String event = null;
        StringBuilder data = null;
        try (Stream<String> body = response.body()) {
            for (String line : (Iterable<String>) body::iterator) {
                synchronized (this) {
                    lines.add(line);
                    if (line.isEmpty()) {
                        if (data != null) {
                            events.add(new Event(id, event, data.toString()));
                        }
                        id = null;
                        event = null;
                        data = null;
                    } else if (line.startsWith(":")) {
                        comments.add(line);
                    } else if (line.startsWith("id: ")) {
                        id = line.substring(4);
                    } else if (line.startsWith("event: ")) {
                        event = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
                    } else if (line.startsWith("retry: ")) {
                        retry = line.substring(7);
                    }
                    notifyAll();
                }
            }
        } catch (RuntimeException e) {
            // the stream was closed under us; ended below
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        }
    }

    public int status() {
        return response.statusCode();
    }

    public String header(String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** The whole body of a response that is not a stream (a problem), once it ended. */
    public JsonObject problem() throws InterruptedException {
        awaitEnd();
        synchronized (this) {
            return parse(String.join("\n", lines));
        }
    }

    public synchronized String retry() {
        return retry;
    }

    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    public synchronized boolean isEnded() {
        return ended;
    }

    public Event await(Predicate<Event> match) throws InterruptedException {
        return awaitAll(match, 1).get(0);
    }

    public Event awaitEvent(String name) throws InterruptedException {
        return await(e -> name.equals(e.event()));
    }

    public synchronized List<Event> awaitAll(Predicate<Event> match, int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            List<Event> matching = events.stream().filter(match).toList();
            if (matching.size() >= count) {
                return matching;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || ended) {
                throw new AssertionError("only " + matching.size() + " of " + count + " matching events"
                        + (ended ? " before the stream ended" : " within " + WAIT) + "; got " + lines);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** Waits until {@code count} comments arrived, within a deadline of {@link #WAIT} per comment. */
    public synchronized List<String> awaitComments(int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos() * count;
        while (comments.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || ended) {
                throw new AssertionError("only " + comments.size() + " of " + count + " comments; got " + lines);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return List.copyOf(comments);
    }

    public synchronized void awaitEnd() throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!ended) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("the stream did not end within " + WAIT + "; got " + lines);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    @Override
    public void close() {
        // Closing the body stream cancels the exchange, which closes the connection.
        response.body().close();
    }
}
