package dev.herald.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A thousand WebSocket clients that complete the upgrade and then never read: fan-out goes on for
 * everyone else, each stalled client is closed as a slow consumer once its bounded queue is full,
 * and the server lets go of them. Memory figures are printed for the record, not asserted.
 *
 * <p>Its own server process (512 MiB heap, like the suite's), so the test can read its memory use.
 * Tyrus reports a frame sent once it is in Grizzly's unbounded write queue: without the ping probes
 * of {@code WebSocketConnection} this test fills the heap.
 */
class SlowConsumersIT {

    private static final int STALLED = 1000;
    /** Publishing stops here at the latest; the stalled clients are closed long before. */
    private static final int MAX_EVENTS = 3000;

    private static final Map<String, String> SETTINGS = stallSettings(Map.of(
            // Only the queue may end a stalled client here, not its missing answers to pings.
            "herald.heartbeat.interval", "10m",
            "herald.idle-timeout", "0"));

    /**
     * What the tests with 1,000 stalled clients share: room for them all on channel {@code stall:1},
     * and small outgoing queues (64 KiB, 20 frames) that a stalled client fills quickly; plus the
     * transport's own settings.
     */
    static Map<String, String> stallSettings(Map<String, String> transportSettings) {
        Map<String, String> settings = new HashMap<>(Map.of(
                "herald.limits.connections-per-user", "0",
                "herald.limits.connections-per-channel.stall", "2000",
                "herald.limits.max-frame-size", "4KiB",
                "herald.limits.max-pending-bytes", "64KiB",
                "herald.limits.max-pending-messages", "20",
                "herald.replay.page-size", "10",
                "herald.jwt.secret", Jwts.SECRET,
                "herald.db.url", "jdbc:h2:mem:herald;DB_CLOSE_DELAY=-1"));
        settings.putAll(transportSettings);
        return settings;
    }

    @TempDir
    Path workDir;

    private final String reader = Jwts.user("reader").channels("stall:*").publish("stall:*").sign();
    private final String admin = Jwts.user("root").roles("admin").sign();

    @Test
    void stalledClientsAreClosedAsSlowConsumersWhileAReadingClientGetsEveryEventInOrder() throws Exception {
        PayaraProcess.with(workDir, SETTINGS, this::run);
    }

    /** The server's count of connections closed with 4009, from {@code /metrics}. */
    private static double slowConsumerCloses(Api api) {
        String body = api.get(null, "metrics").body();
        return body.lines().filter(l -> l.startsWith("herald_slow_consumer_closes_total "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1).trim())).findFirst()
                .orElseThrow(() -> new AssertionError("no herald_slow_consumer_closes_total in /metrics"));
    }

    private void run(PayaraProcess server) throws Exception {
        Api api = new Api(server.url());
        InstanceProbe probe = new InstanceProbe(api, admin);
        URI stallUrl = api.ws("/ws/stall/1?token=" + reader);
        List<RawWebSocket> stalled = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try (WsClient live = WsClient.connect(api.ws("/ws/stall/1"), Map.of("Authorization", "Bearer " + reader))) {
            live.awaitType("subscribed");
            String before = InstanceProbe.memory(server);
            long handshakes = System.nanoTime();
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
            probe.awaitConnections(STALLED + 1, "every stalled client connected");
            System.out.printf("SlowConsumersIT: %d handshakes in %d ms%n", STALLED, (System.nanoTime() - handshakes) / 1_000_000);
            int subscribed = probe.awaitSubscribers("stall:1", STALLED + 1);
            System.out.printf("SlowConsumersIT: %d of %d subscribed %d ms after the first handshake%n", subscribed, STALLED + 1,
                    (System.nanoTime() - handshakes) / 1_000_000);
            // A connection whose subscription has not started receives nothing and cannot fall behind.
            int idle = STALLED + 1 - subscribed;
            assertTrue(subscribed > STALLED / 2, "most stalled clients subscribed: " + subscribed);
            String connected = InstanceProbe.memory(server);

            String data = "{\"text\":\"" + "x".repeat(1000) + "\"}";
            long started = System.nanoTime();
            int published = 0;
            while (published < MAX_EVENTS && (published % 100 != 0 || probe.connections() > 1 + idle)) {
                api.publishOk(reader, "stall:1", "output", data);
                published++;
            }
            long publishMillis = (System.nanoTime() - started) / 1_000_000;
            String loaded = InstanceProbe.memory(server);

            List<JsonObject> events = live.awaitAll(WsClient.eventOn("stall:1"), published);
            for (int i = 0; i < published; i++) {
                assertEquals(i + 1, WsClient.seq(events.get(i)), "the reading client got every event in order");
            }
            probe.awaitConnections(1 + idle, "every subscribed stalled client was let go");
            assertTrue(!live.isClosed(), "the reading client is still connected");
            List<Integer> ends = new ArrayList<>();
            for (RawWebSocket sample : stalled.subList(0, 3)) {
                // Reading at last drains what was queued in the kernel, then the close frame.
                ends.add(sample.readUntilClose());
            }
            assertTrue(ends.stream().anyMatch(c -> c == 4009 || c == 1006), "stalled clients end with 4009 or a reset: " + ends);
            double slowCloses = slowConsumerCloses(api);
            assertTrue(slowCloses >= subscribed - 1 - STALLED / 10.0,
                    "the server closed (nearly) every subscribed stalled client as a slow consumer (4009): " + slowCloses);
            assertTrue(server.log().contains("WebSocket frames are framed once per event and written to the Grizzly connection's write queue"),
                    "on Payara, events go out pre-framed on the Grizzly connection, not through sendText");
            assertTrue(ends.stream().allMatch(c -> c == 4009 || c == 1006 || (c == 0 && idle > 0)), "ends: " + ends);
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
}
