package dev.herald.it;

import jakarta.json.JsonObject;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static dev.herald.it.WsClient.ofType;
import static dev.herald.testing.Frames.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** What the multi-instance ITs do with the instances of a {@link HeraldCluster}: connect, subscribe, ask presence. */
final class ClusterClients {

    private static final String PONG = "{\"type\":\"pong\"}";

    private ClusterClients() {
    }

    /** A client of instance {@code instance} on {@code /ws}, subscribed to the channel. */
    static WsClient subscribe(HeraldCluster cluster, int instance, String channel, String token) throws InterruptedException {
        WsClient client = welcomed(cluster, instance, token);
        client.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
        client.awaitType("subscribed");
        return client;
    }

    /** A client of instance {@code instance} on {@code /ws}, once welcomed (registered in the connection directory). */
    static WsClient welcomed(HeraldCluster cluster, int instance, String token) throws InterruptedException {
        WsClient client = WsClient.connect(cluster.api(instance).ws("/ws"), Map.of("Authorization", "Bearer " + token));
        client.awaitType("welcome");
        return client;
    }

    /** The {@code users} of {@code GET /api/channels/{channel}/presence} on one instance, as JSON text. */
    static String presence(HeraldCluster cluster, int instance, String channel, String token) {
        HttpResponse<String> response = cluster.api(instance).get(token, "api/channels/" + channel + "/presence");
        assertEquals(200, response.statusCode(), response.body());
        JsonObject body = parse(response.body());
        assertEquals(channel, body.getString("channel"));
        return body.getJsonArray("users").toString();
    }

    static void awaitPresence(HeraldCluster cluster, int instance, String channel, String token, String users, Duration deadline)
            throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        String now;
        while (!(now = presence(cluster, instance, channel, token)).equals(users)) {
            if (System.nanoTime() - end > 0) {
                assertEquals(users, now, "presence within " + deadline);
            }
            Thread.sleep(100);
        }
    }

    /** The connection still answers: a ping gets its pong, so no close came before it. */
    static void assertAlive(WsClient client) throws InterruptedException {
        int pongs = (int) client.frames().stream().filter(f -> f.equals(PONG)).count();
        client.send("{\"type\":\"ping\"}");
        client.awaitAll(ofType("pong"), pongs + 1);
        assertFalse(client.isClosed());
    }
}
