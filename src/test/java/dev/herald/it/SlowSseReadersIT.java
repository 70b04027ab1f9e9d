package dev.herald.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A thousand SSE streams whose clients read the response head and then never read again: fan-out
 * goes on for a reading stream, each stalled stream is ended by the server once its bounded queue
 * is full, and the server lets go of them. The same shape as {@link SlowConsumersIT}, over the SSE
 * transport: an {@code event: close} cannot reach a client that does not read, so the test watches
 * the server's side (its connection count and slow-consumer counter). Memory figures are printed
 * for the record, not asserted.
 *
 * <p>Its own server process (512 MiB heap, like the suite's), so the test can read its memory use.
 */
class SlowSseReadersIT {

    private static final int STALLED = 1000;
    /** Publishing stops here at the latest; the stalled streams are ended long before. */
    private static final int MAX_EVENTS = 3000;
    private static final String CHANNEL = "stall:1";

    private static final Map<String, String> SETTINGS = SlowConsumersIT.stallSettings(Map.of(
            // A stream closed as a slow consumer is ended one heartbeat period after its close event
            // could not be written; a short period keeps the test short.
            "herald.sse.heartbeat", "5s"));

    @TempDir
    Path workDir;

    private final String reader = Jwts.user("reader").channels("stall:*").publish("stall:*").sign();
    private final String admin = Jwts.user("root").roles("admin").sign();

    @Test
    void stalledStreamsAreEndedAsSlowConsumersWhileAReadingStreamGetsEveryEventInOrder() throws Exception {
        PayaraProcess.with(workDir, SETTINGS, this::run);
    }

    private void run(PayaraProcess server) throws Exception {
        Api api = new Api(server.url());
        InstanceProbe probe = new InstanceProbe(api, admin);
        URI events = URI.create(server.url() + "api/channels/" + CHANNEL + "/events");
        List<RawSseStream> stalled = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try (SseClient live = SseClient.open(events, Map.of("Authorization", "Bearer " + reader))) {
            assertEquals(200, live.status());
            live.awaitEvent("subscribed");
            String before = InstanceProbe.memory(server);
            long opened = System.nanoTime();
            List<Future<RawSseStream>> opening = new ArrayList<>();
            for (int i = 0; i < STALLED; i++) {
                // A small receive buffer: the kernel absorbs little, so the server's buffers fill.
                opening.add(pool.submit(() -> RawSseStream.open(events, reader, 4096)));
            }
            for (Future<RawSseStream> f : opening) {
                RawSseStream stream = f.get();
                stalled.add(stream);
                assertEquals(200, stream.status());
                assertTrue(stream.header("content-type").startsWith("text/event-stream"), stream.header("content-type"));
            }
            probe.awaitConnections(STALLED + 1, "every stalled stream open");
            int subscribed = probe.awaitSubscribers(CHANNEL, STALLED + 1);
            System.out.printf("SlowSseReadersIT: %d streams opened, %d of %d subscribed, in %d ms%n", STALLED, subscribed,
                    STALLED + 1, (System.nanoTime() - opened) / 1_000_000);
            // A stream whose subscription has not started receives nothing and cannot fall behind.
            int idle = STALLED + 1 - subscribed;
            assertTrue(subscribed > STALLED / 2, "most stalled streams subscribed: " + subscribed);
            long slowBefore = slowConsumerCloses(probe);
            String connected = InstanceProbe.memory(server) + "; TCP " + InstanceProbe.tcp(server);

            String data = "{\"text\":\"" + "x".repeat(1000) + "\"}";
            long started = System.nanoTime();
            int published = 0;
            StringBuilder during = new StringBuilder();
            while (published < MAX_EVENTS && (published % 100 != 0 || probe.connections() > 1 + idle)) {
                api.publishOk(reader, CHANNEL, "output", data);
                published++;
                if (published % 500 == 0) {
                    during.append(String.format("%n  after %d events, %d streams open: %s; TCP %s", published,
                            probe.connections(), InstanceProbe.memory(server), InstanceProbe.tcp(server)));
                }
            }
            long publishMillis = (System.nanoTime() - started) / 1_000_000;
            String loaded = InstanceProbe.memory(server) + "; TCP " + InstanceProbe.tcp(server);

            List<SseClient.Event> received = live.awaitAll(e -> "output".equals(e.event()), published);
            assertEquals(published, received.size(), "the reading stream got each event once");
            for (int i = 0; i < published; i++) {
                assertEquals(Integer.toString(i + 1), received.get(i).id(), "the reading stream got every event in order");
            }
            long letGo = System.nanoTime();
            probe.awaitConnections(1 + idle, "every subscribed stalled stream was ended");
            long letGoMillis = (System.nanoTime() - letGo) / 1_000_000;
            assertFalse(live.isEnded(), "the reading stream is still open");
            long slowCloses = slowConsumerCloses(probe) - slowBefore;
            String lastDisconnect = api.get(admin, "api/audit?type=disconnect&limit=1").body();
            String after = InstanceProbe.memory(server) + "; TCP " + InstanceProbe.tcp(server);

            List<String> ends = new ArrayList<>();
            for (RawSseStream sample : stalled.subList(0, 3)) {
                // Reading at last drains what the kernel and the server still held, then the end of the response.
                RawSseStream.Body body = sample.readToEnd();
                ends.add(body.end() + (body.text().contains("\"code\":4009") ? " after event: close 4009" : ""));
                assertTrue(body.end() != RawSseStream.End.STILL_OPEN || idle > 0, "a stalled stream was ended: " + ends);
            }
            for (RawSseStream s : stalled) {
                s.close();
            }
            String released = InstanceProbe.memory(server) + "; TCP " + InstanceProbe.tcp(server);
            System.out.printf("SlowSseReadersIT: %d stalled + 1 reading stream, %d events of ~1 KB published in %d ms;%n"
                            + "  %d closed as slow consumers, the last let go %d ms after publishing; sampled ends: %s%n"
                            + "  server before connecting: %s%n  with %d connected: %s%s%n"
                            + "  after publishing: %s%n  once the stalled streams were let go: %s%n"
                            + "  once their clients closed the sockets: %s%n",
                    STALLED, published, publishMillis, slowCloses, letGoMillis, ends, before, STALLED + 1, connected, during,
                    loaded, after, released);
            assertEquals(subscribed - 1, slowCloses, "each subscribed stalled stream was closed as a slow consumer (4009); "
                    + "the last disconnect: " + lastDisconnect);
        } finally {
            pool.shutdownNow();
            for (RawSseStream s : stalled) {
                s.close();
            }
        }
    }

    private static long slowConsumerCloses(InstanceProbe probe) {
        JsonObject counters = probe.status().getJsonObject("counters");
        return counters.getJsonNumber("slowConsumerCloses").longValue();
    }
}
