package dev.herald.it;

import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.herald.testing.Frames.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A thousand WebSocket clients that complete the upgrade and then never read: fan-out goes on for
 * everyone else, each stalled client is closed as a slow consumer once its bounded queue is full,
 * and the server lets go of them. Memory figures are printed for the record, not asserted.
 */
@ExtendWith(ArquillianExtension.class)
class SlowConsumersIT {

    private static final int STALLED = 1000;
    /** Publishing stops here at the latest; the stalled clients are closed long before. */
    private static final int MAX_EVENTS = 3000;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald(Map.of(
                "herald.limits.connections-per-user", "0",
                "herald.limits.connections-per-channel.stall", "2000",
                "herald.limits.max-frame-size", "4KiB",
                "herald.limits.max-pending-bytes", "256KiB",
                "herald.limits.max-pending-messages", "100",
                "herald.replay.page-size", "50"));
    }

    @ArquillianResource
    URL base;

    private final String reader = Jwts.user("reader").channels("stall:*").publish("stall:*").sign();
    private final String admin = Jwts.user("root").roles("admin").sign();

    private int connections(Api api) {
        HttpResponse<String> health = api.get(admin, "api/admin/health");
        assertEquals(200, health.statusCode(), health.body());
        return parse(health.body()).getInt("connections");
    }

    @Test
    void stalledClientsAreClosedAsSlowConsumersWhileAReadingClientGetsEveryEventInOrder() throws Exception {
        Api api = new Api(base);
        URI stallUrl = api.ws("/ws/stall/1?token=" + reader);
        List<RawWebSocket> stalled = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (WsClient live = WsClient.connect(api.ws("/ws/stall/1"), Map.of("Authorization", "Bearer " + reader))) {
            live.awaitType("subscribed");
            String before = memory(base);
            List<Future<RawWebSocket>> opening = new ArrayList<>();
            for (int i = 0; i < STALLED; i++) {
                // A small receive buffer: the kernel absorbs little, so Herald's own queue fills.
                opening.add(pool.submit(() -> RawWebSocket.handshake(stallUrl, null, 4096)));
            }
            for (Future<RawWebSocket> f : opening) {
                RawWebSocket socket = f.get();
                stalled.add(socket);
                assertEquals(101, socket.status());
            }
            awaitConnections(api, STALLED + 1, "every stalled client connected");
            String connected = memory(base);

            String data = "{\"text\":\"" + "x".repeat(1000) + "\"}";
            long started = System.nanoTime();
            int published = 0;
            while (published < MAX_EVENTS && (published % 100 != 0 || connections(api) > 1)) {
                api.publishOk(reader, "stall:1", "output", data);
                published++;
            }
            long publishMillis = (System.nanoTime() - started) / 1_000_000;
            String loaded = memory(base);

            List<JsonObject> events = live.awaitAll(WsClient.eventOn("stall:1"), published);
            for (int i = 0; i < published; i++) {
                assertEquals(i + 1, WsClient.seq(events.get(i)), "the reading client got every event in order");
            }
            awaitConnections(api, 1, "every stalled client was let go");
            assertTrue(!live.isClosed(), "the reading client is still connected");
            for (RawWebSocket sample : stalled.subList(0, 3)) {
                // Reading at last drains what was queued in the kernel, then the close frame.
                int code = sample.readUntilClose();
                assertTrue(code == 4009 || code == 1006, "a stalled client ends with 4009 or a reset, got " + code);
            }
            System.out.printf("SlowConsumersIT: %d stalled + 1 reading client, %d events of ~1 KB published in %d ms;%n"
                    + "  server memory before connecting: %s%n  with %d connected: %s%n  after publishing: %s%n",
                    STALLED, published, publishMillis, before, STALLED + 1, connected, loaded);
        } finally {
            pool.shutdownNow();
            for (RawWebSocket s : stalled) {
                s.close();
            }
        }
    }

    private void awaitConnections(Api api, int expected, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 4 * WsClient.WAIT.toNanos();
        int now = connections(api);
        while (now != expected && System.nanoTime() < deadline) {
            Thread.sleep(100); // poll interval, bounded by the deadline
            now = connections(api);
        }
        assertEquals(expected, now, what);
    }

    /**
     * The resident memory of the server process that listens on this URL's port, from /proc; the
     * figure is only printed. "unknown" where the process cannot be found.
     */
    static String memory(URL base) {
        String port = Integer.toString(base.getPort());
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(args -> List.of(args).contains(port)).orElse(false))
                .filter(p -> p.info().commandLine().map(c -> c.contains("payara-micro")).orElse(false))
                .findFirst()
                .map(p -> {
                    try {
                        return Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status")).stream()
                                .filter(l -> l.startsWith("VmRSS")).findFirst().orElse("unknown").replaceAll("\\s+", " ");
                    } catch (IOException e) {
                        return "unknown";
                    }
                }).orElse("unknown");
    }
}
