package dev.herald.bench.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * Publishes events over HTTP with a bearer token: single events ({@code POST
 * /api/channels/{channel}/events}) on up to {@code maxInFlight} keep-alive Netty connections, and
 * batches ({@code POST /api/events}) and history reads with the JDK's HttpClient.
 * Each event's data is {@code {"t":<System.nanoTime() at publish>}}: the load client runs in the
 * same JVM, so receive time minus {@code t} is the publish-to-deliver latency on one clock.
 * Remembers the highest sequence answered per channel (the head every subscriber must reach).
 */
public final class HttpPublisher implements AutoCloseable {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final String base;
    private final String token;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final HttpClient http;
    private final HttpConnectionPool pool;
    private final Map<String, AtomicLong> heads = new ConcurrentHashMap<>();
    private final LongAdder published = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    private final LatencyRecorder roundTrips = new LatencyRecorder();
    private volatile long lastMaxLagNanos;

    public HttpPublisher(int port, String token, int maxInFlight) {
        this.base = "http://127.0.0.1:" + port;
        this.token = token;
        this.pool = new HttpConnectionPool(new InetSocketAddress("127.0.0.1", port), maxInFlight);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** The answer to one publish: HTTP status and the sequence assigned (-1 when refused). */
    public record Published(int status, long seq, long returnedNanos) {
        public boolean ok() {
            return status == 201 || status == 200;
        }
    }

    /** Publishes one event asynchronously, waiting first for a free in-flight slot. */
    public CompletableFuture<Published> publish(String channel, long publishNanos) throws InterruptedException {
        long sent = System.nanoTime();
        return pool.post("/api/channels/" + channel + "/events", token, "{\"type\":\"bench\",\"data\":{\"t\":" + publishNanos + "}}")
                .handle((response, failure) -> {
                    long now = System.nanoTime();
                    roundTrips.recordNanos(now - sent);
                    if (failure != null) {
                        countFailure(describe(failure));
                        return new Published(-1, -1, now);
                    }
                    if (response.status() != 201) {
                        countFailure("HTTP " + response.status());
                        return new Published(response.status(), -1, now);
                    }
                    long seq = JsonScan.number(response.body(), "seq");
                    heads.computeIfAbsent(channel, c -> new AtomicLong()).accumulateAndGet(seq, Math::max);
                    published.increment();
                    return new Published(201, seq, now);
                });
    }

    /** Publishes one event and waits for the answer. */
    public Published publishAndWait(String channel, long publishNanos) throws InterruptedException {
        return publish(channel, publishNanos).join();
    }

    /**
     * Publishes events at {@code ratePerSecond} for {@code duration}, cycling over {@code channels}
     * (open loop: each event's {@code t} is its scheduled time, so a publisher that falls behind
     * shows up as latency instead of hiding it); waits for the answers. Returns the count sent.
     */
    public long publishAtRate(List<String> channels, double ratePerSecond, Duration duration) throws InterruptedException {
        long start = System.nanoTime();
        long periodNanos = (long) (1e9 / ratePerSecond);
        long count = (long) (ratePerSecond * duration.toNanos() / 1e9);
        long maxLag = 0;
        for (long i = 0; i < count; i++) {
            long due = start + i * periodNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            publish(channels.get((int) (i % channels.size())), due);
            maxLag = Math.max(maxLag, System.nanoTime() - due);
        }
        lastMaxLagNanos = maxLag;
        awaitIdle();
        return count;
    }

    /**
     * One batch ({@code POST /api/events}) of {@code events} events spread over {@code channels};
     * answers the HTTP status (404: the endpoint does not exist on this server).
     */
    public int publishBatch(List<String> channels, int events, long offset) throws IOException, InterruptedException {
        String body = LongStream.range(offset, offset + events)
                .mapToObj(i -> "{\"channel\":\"" + channels.get((int) (i % channels.size())) + "\",\"type\":\"bench\",\"data\":{\"t\":"
                        + System.nanoTime() + "}}")
                .collect(Collectors.joining(",", "{\"events\":[", "]}"));
        long sent = System.nanoTime();
        HttpResponse<String> response = http.send(request("/api/events", body), HttpResponse.BodyHandlers.ofString());
        roundTrips.recordNanos(System.nanoTime() - sent);
        int status = response.statusCode();
        if (status == 200 || status == 201) {
            published.add(events);
            recordBatchHeads(response.body());
        } else if (status != 404) {
            countFailure("HTTP " + status);
        }
        return status;
    }

    private void recordBatchHeads(String body) {
        batchHeads(body).forEach((channel, seq) -> heads.computeIfAbsent(channel, c -> new AtomicLong()).accumulateAndGet(seq, Math::max));
    }

    /** The highest {@code seq} per channel in a batch answer {@code {"events":[{"channel":..,"seq":..,"ts":..},...]}}. */
    static Map<String, Long> batchHeads(String body) {
        Map<String, Long> highest = new HashMap<>();
        int at = body.indexOf("\"channel\"");
        while (at >= 0) {
            String rest = body.substring(at);
            String channel = JsonScan.string(rest, "channel");
            long seq = JsonScan.number(rest, "seq");
            if (channel != null && seq != EventFrame.NONE) {
                highest.merge(channel, seq, Math::max);
            }
            at = body.indexOf("\"channel\"", at + 1);
        }
        return highest;
    }

    /** Waits (up to a minute) until no single publish is in flight. */
    public void awaitIdle() throws InterruptedException {
        pool.awaitIdle(60);
    }

    /** GET of a channel's head from Herald's history API ({@code head} of {@code ?since=0&limit=1}). */
    public long storedHead(String channel) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/channels/" + channel + "/events?since=0&limit=1"))
                .header("Authorization", "Bearer " + token).timeout(REQUEST_TIMEOUT).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? JsonScan.number(response.body(), "head") : -1;
    }

    private HttpRequest request(String path, String body) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .timeout(REQUEST_TIMEOUT).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        String message = cause.getMessage() == null ? "" : ": " + cause.getMessage();
        return cause.getClass().getSimpleName() + message.substring(0, Math.min(message.length(), 80));
    }

    private void countFailure(String kind) {
        failed.increment();
        failures.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    /** The highest sequence answered for {@code channel} (0 when none). */
    public long head(String channel) {
        AtomicLong head = heads.get(channel);
        return head == null ? 0 : head.get();
    }

    public long published() {
        return published.sum();
    }

    public long failed() {
        return failed.sum();
    }

    /** Failures by kind (exception name or HTTP status). */
    public Map<String, Long> failures() {
        return failures.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum()));
    }

    /**
     * How far behind its schedule the last {@link #publishAtRate} call sent an event, at worst
     * (waiting for a free connection included): large values mean the server, or the harness,
     * could not take the rate.
     */
    public long lastMaxLagNanos() {
        return lastMaxLagNanos;
    }

    /** HTTP round-trip times of the publishes. */
    public LatencyRecorder roundTrips() {
        return roundTrips;
    }

    @Override
    public void close() {
        pool.close();
        executor.shutdownNow();
    }
}
