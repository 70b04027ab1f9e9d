package dev.herald.it;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.LongStream;

import static dev.herald.testing.Frames.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rolling restart of two instances under load, as an orchestrator does it: SIGTERM one, wait
 * for it to exit, start it again, then the other. Clients that are told to reconnect (1012) resume
 * on the other instance from their last sequence; a publisher keeps publishing through both.
 * Every client ends with every event exactly once, in order.
 */
class RollingRestartIT {

    private static final String CHANNEL = "drill:1";
    private static final int CLIENTS_PER_INSTANCE = 8;
    private static final Duration DRAIN = Duration.ofSeconds(4);
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path workDir;

    /** The instances' current addresses: a restarted instance listens on a new port. */
    private final AtomicReferenceArray<Api> apis = new AtomicReferenceArray<>(2);
    /** Whether the publisher's "load balancer" routes to an instance: off from its first failed publish until it is back. */
    private final AtomicReferenceArray<Boolean> routed = new AtomicReferenceArray<>(new Boolean[]{true, true});
    private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(4);
    /** When each drain's closes reached the clients, in ms after SIGTERM: index 0 for instance 0's drain, 1 for instance 1's. */
    private final List<List<Long>> closesByDrain = List.of(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
    private volatile int drainingInstance;
    private volatile long sigtermMillis;

    @Test
    void aRollingRestartUnderLoadLosesAndRepeatsNothing() throws Exception {
        // given: two instances whose Payara waits longer than Herald's drain window before stopping its listeners
        Map<String, String> settings = Map.of(
                "herald.shutdown.drain", DRAIN.toSeconds() + "s",
                // drain + patience (2 s) + a margin for a loaded machine, as docs/operations.md recommends
                "fish.payara.shutdowngrace", Long.toString(DRAIN.plusSeconds(6).toMillis()),
                "herald.limits.connections-per-user", "100");
        try (HeraldCluster cluster = HeraldCluster.start(workDir, 2, settings)) {
            apis.set(0, cluster.api(0));
            apis.set(1, cluster.api(1));
            String subscriber = Jwts.user("watcher").channels("drill:*").sign();
            String publisher = Jwts.user("producer").channels("drill:*").publish("drill:*").sign();
            List<ResumingClient> clients = new ArrayList<>();
            for (int i = 0; i < 2 * CLIENTS_PER_INSTANCE; i++) {
                ResumingClient client = new ResumingClient(subscriber, i % 2);
                client.connect(0);
                clients.add(client);
            }
            for (ResumingClient client : clients) {
                client.awaitSubscribed();
            }
            AtomicLong published = new AtomicLong();
            List<String> publishFailures = new CopyOnWriteArrayList<>();
            List<String> misnumbered = new CopyOnWriteArrayList<>();
            var publishing = executor.scheduleWithFixedDelay(() -> publishNext(publisher, published, publishFailures, misnumbered),
                    0, 20, TimeUnit.MILLISECONDS);

            // when: the rolling restart
            for (int index = 0; index < 2; index++) {
                awaitPublished(published, published.get() + 50);
                PayaraProcess instance = cluster.instance(index);
                drainingInstance = index;
                sigtermMillis = System.currentTimeMillis();
                instance.terminate();
                assertRefusesNewConnectionsWhileDraining(index, subscriber);
                instance.awaitExit(); // Payara's log is closed by now: the clients below tell how the drain went
                cluster.replace(index);
                apis.set(index, cluster.api(index));
                routed.set(index, true);
                awaitPublished(published, published.get() + 50); // through the new instance too
            }
            publishing.cancel(false);
            awaitPublishingStopped(published);
            long last = published.get();

            // then: every client has 1..last exactly once and in order, and was moved only by 1012 closes
            assertEquals(List.of(), misnumbered, "a retried publish was never stored twice");
            List<Long> expected = LongStream.rangeClosed(1, last).boxed().toList();
            for (ResumingClient client : clients) {
                assertEquals(expected, client.awaitSeqs(last), "client " + client.name);
                assertEquals(List.of(), client.unexpectedCloses(), "client " + client.name + " was only ever closed with 1012; "
                        + "all closes, ms after SIGTERM: " + closesByDrain.stream().map(c -> c.stream().sorted().toList()).toList());
            }
            // The first drain moved the first instance's clients, the second all of them (they were all on the second by then).
            assertEquals(CLIENTS_PER_INSTANCE, closesByDrain.get(0).size());
            assertEquals(2 * CLIENTS_PER_INSTANCE, closesByDrain.get(1).size());
            for (List<Long> closes : closesByDrain) {
                // Spread over the window, not sent at one instant: no upper bound, this is not a speed test.
                assertTrue(closes.stream().map(ms -> ms / 1000).distinct().count() > 1, "closes spread over the drain window: " + closes);
                long spread = closes.stream().mapToLong(Long::longValue).max().orElseThrow()
                        - closes.stream().mapToLong(Long::longValue).min().orElseThrow();
                System.out.printf("drain: %d closes spread over %d ms, ms after SIGTERM: %s%n", closes.size(), spread,
                        closes.stream().sorted().toList());
            }
            System.out.printf("rolling restart: %d events to %d clients, failed publishes (checked, then retried or counted): %s%n",
                    last, clients.size(), publishFailures);
            clients.forEach(ResumingClient::close);
        } finally {
            executor.shutdownNow();
        }
    }

    /** SIGTERM has been sent: new WebSocket handshakes and SSE streams are refused with 503 and readiness is DOWN until the instance exits. */
    private void assertRefusesNewConnectionsWhileDraining(int index, String token) throws InterruptedException {
        Api api = apis.get(index);
        long deadline = System.nanoTime() + DRAIN.toNanos();
        while (true) {
            try {
                WebSocket socket = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                        .buildAsync(api.ws("/ws/drill/1?token=" + token), new WebSocket.Listener() {
                        }).join();
                socket.abort(); // not draining yet
            } catch (CompletionException e) {
                if (e.getCause() instanceof WebSocketHandshakeException refused) {
                    HttpResponse<?> response = refused.getResponse();
                    assertEquals(503, response.statusCode());
                    assertTrue(response.headers().firstValue("Retry-After").isPresent());
                    break;
                }
                throw e;
            }
            assertTrue(System.nanoTime() < deadline, "new handshakes were still accepted one drain window after SIGTERM");
            TimeUnit.MILLISECONDS.sleep(50); // poll until the drain has begun
        }
        HttpResponse<String> stream = send(HttpRequest.newBuilder(URI.create(api.ws("/api/channels/drill:1/events").toString()
                        .replaceFirst("^ws", "http"))).header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).GET().build());
        assertEquals(503, stream.statusCode(), stream.body());
        assertEquals("draining", parse(stream.body()).getString("code"));
        HttpResponse<String> ready = send(HttpRequest.newBuilder(URI.create(api.ws("/health/ready").toString()
                .replaceFirst("^ws", "http"))).timeout(Duration.ofSeconds(10)).GET().build());
        assertEquals(503, ready.statusCode(), "readiness while draining: " + ready.body());
        assertTrue(parse(ready.body()).getJsonArray("checks").stream().map(JsonValue::asJsonObject)
                        .anyMatch(check -> check.getString("name").equals("herald-drain") && check.getString("status").equals("DOWN")),
                "the drain check reports DOWN: " + ready.body());
    }

    /** Publishes event n+1 through a routed instance; a failed request is checked against the store before it is retried. */
    private void publishNext(String token, AtomicLong published, List<String> failures, List<String> misnumbered) {
        long n = published.get() + 1;
        int target = (int) (n % 2);
        if (!routed.get(target)) {
            target = 1 - target;
        }
        Api api = apis.get(target);
        try {
            HttpResponse<String> response = api.publish(token, CHANNEL, "{\"type\":\"step\",\"data\":{\"n\":" + n + "}}");
            if (response.statusCode() == 201) {
                long seq = parse(response.body()).getJsonNumber("seq").longValue();
                if (seq != n) {
                    misnumbered.add("event " + n + " stored as " + seq); // one publisher: seq follows n
                }
                published.set(seq);
                return;
            }
            failures.add(n + ": " + response.statusCode());
        } catch (AssertionError | RuntimeException e) {
            failures.add(n + ": " + e.getMessage()); // connection refused or cut: the instance stops
        }
        routed.set(target, false);
        // The request may or may not have committed: the store says which, through the other instance.
        try {
            JsonObject history = apis.get(1 - target).history(token, CHANNEL, n - 1);
            if (history.getInt("head") >= n) {
                published.set(n);
            }
        } catch (AssertionError | RuntimeException e) {
            failures.add(n + ": history " + e.getMessage());
        }
    }

    private void awaitPublished(AtomicLong published, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (published.get() < atLeast) {
            assertTrue(System.nanoTime() < deadline, "publishing stalled at " + published.get());
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private void awaitPublishingStopped(AtomicLong published) throws InterruptedException {
        long before;
        do {
            before = published.get();
            TimeUnit.MILLISECONDS.sleep(200); // until no publish has completed for a while
        } while (published.get() != before);
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The resume logic every Herald client has: on a close, reconnect to the other instance with
     * {@code since} = the last sequence received; when that instance refuses, try the other.
     */
    private final class ResumingClient implements WebSocket.Listener {

        final String name;
        private final String token;
        private volatile int instance;
        private final List<Long> seqs = new ArrayList<>();
        private final List<String> unexpected = new CopyOnWriteArrayList<>();
        private final StringBuilder partial = new StringBuilder();
        private volatile WebSocket socket;
        private volatile boolean closing;
        private boolean subscribed;

        ResumingClient(String token, int instance) {
            this.name = "client-" + System.identityHashCode(this);
            this.token = token;
            this.instance = instance;
        }

        synchronized long last() {
            return seqs.isEmpty() ? 0 : seqs.get(seqs.size() - 1);
        }

        void connect(int attempt) {
            if (closing) {
                return;
            }
            URI uri = apis.get(instance).ws("/ws/drill/1?since=" + last() + "&token=" + token);
            HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(uri, this).whenComplete((ws, error) -> {
                if (error != null) {
                    // Refused (draining, 503) or not listening: the other instance, after a short back-off.
                    instance = 1 - instance;
                    executor.schedule(() -> connect(attempt + 1), Math.min(1000, 50L * (attempt + 1)), TimeUnit.MILLISECONDS);
                } else {
                    socket = ws;
                }
            });
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
                    JsonObject frame = parse(partial.toString());
                    partial.setLength(0);
                    String type = frame.getString("type", "");
                    if (type.equals("subscribed")) {
                        subscribed = true;
                    } else if (type.equals("ping")) {
                        webSocket.sendText("{\"type\":\"pong\"}", true); // Herald's heartbeat: unanswered, it closes with 4004
                    } else if (frame.containsKey("seq") && CHANNEL.equals(frame.getString("channel", null))) {
                        seqs.add(frame.getJsonNumber("seq").longValue());
                    }
                    notifyAll();
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            moved(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            moved(1006, error);
        }

        private void moved(int code) {
            moved(code, null);
        }

        private void moved(int code, Throwable error) {
            if (closing) {
                return;
            }
            closesByDrain.get(drainingInstance).add(System.currentTimeMillis() - sigtermMillis);
            if (code != 1012) {
                unexpected.add(code + " during the drain of instance " + drainingInstance + ", "
                        + (System.currentTimeMillis() - sigtermMillis) + " ms after SIGTERM" + (error == null ? "" : ": " + error));
            }
            instance = 1 - instance;
            executor.execute(() -> connect(0));
        }

        synchronized void awaitSubscribed() throws InterruptedException {
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (!subscribed) {
                long left = deadline - System.nanoTime();
                assertTrue(left > 0, name + " never subscribed");
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        synchronized List<Long> awaitSeqs(long last) throws InterruptedException {
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (last() < last) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return List.copyOf(seqs);
        }

        List<String> unexpectedCloses() {
            return List.copyOf(unexpected);
        }

        void close() {
            closing = true;
            WebSocket ws = socket;
            if (ws != null) {
                ws.abort();
            }
        }
    }
}
