package dev.herald.it;

import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;

import static dev.herald.testing.Frames.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The connection limits on a real server: refusals before the upgrade with their HTTP status, the
 * error frames of refused subscriptions, the close codes of floods, and the audit of each.
 */
@ExtendWith(ArquillianExtension.class)
class LimitsIT {

    /** Handshakes one address may open at once in this deployment; the rate test goes past it from 127.0.0.2. */
    private static final int BURST = 40;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald(Map.of(
                "herald.limits.connections-per-user", "0",
                "herald.limits.connections-per-channel", "2",
                "herald.limits.connections-per-channel.crowd", "4",
                "herald.limits.connections-per-instance", "12",
                "herald.limits.subscriptions-per-connection", "3",
                "herald.limits.connection-rate", "1",
                "herald.limits.connection-burst", Integer.toString(BURST),
                "herald.limits.client-messages-per-second", "20",
                "herald.limits.client-messages-burst", "40"));
    }

    @ArquillianResource
    URL base;

    private final String alice = Jwts.user("alice").channels("diagnosis:*", "crowd:*").sign();
    private final String admin = Jwts.user("root").roles("admin").sign();

    private WsClient connect(String path) {
        return WsClient.connect(new Api(base).ws(path), Map.of("Authorization", "Bearer " + alice));
    }

    private WsClient subscribedTo(String path) throws InterruptedException {
        WsClient client = connect(path);
        client.awaitType("subscribed");
        return client;
    }

    private List<JsonObject> awaitAudit(String query, Predicate<List<JsonObject>> done) throws InterruptedException {
        return new Api(base).awaitAudit(admin, query, done);
    }

    /** Whether some record's detail has this {@code code} (a close code number or an error code string). */
    private static Predicate<List<JsonObject>> anyWithCode(Object code) {
        String json = code instanceof String ? "\"" + code + "\"" : code.toString();
        return items -> items.stream().anyMatch(i -> String.valueOf(i.getJsonObject("detail").get("code")).equals(json));
    }

    @Test
    void aFullChannelRefusesItsSingleChannelUrlWith503BeforeTheUpgrade() throws Exception {
        try (WsClient first = subscribedTo("/ws/diagnosis/1"); WsClient second = subscribedTo("/ws/diagnosis/1");
             RawWebSocket refused = RawWebSocket.handshake(new Api(base).ws("/ws/diagnosis/1?token=" + alice));
             RawWebSocket other = RawWebSocket.handshake(new Api(base).ws("/ws/diagnosis/2?token=" + alice))) {

            assertEquals(503, refused.status());
            assertNotNull(refused.header("Retry-After"));
            assertEquals("channel_full", parse(refused.body()).getString("code"));
            assertEquals(101, other.status(), "another channel has room");
            awaitAudit("type=limit&channel=diagnosis:1", anyWithCode("channel_full"));
        }
    }

    @Test
    void aFullChannelRefusesItsEventStreamWith503() throws Exception {
        try (WsClient first = subscribedTo("/ws/diagnosis/3"); WsClient second = subscribedTo("/ws/diagnosis/3")) {
            HttpResponse<String> stream = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(base + "api/channels/diagnosis:3/events")).timeout(Duration.ofSeconds(30))
                    .header("Accept", "text/event-stream").header("Authorization", "Bearer " + alice).GET().build(),
                    HttpResponse.BodyHandlers.ofString());

            assertEquals(503, stream.statusCode(), stream.body());
            assertEquals("channel_full", parse(stream.body()).getString("code"));
        }
    }

    @Test
    void aNamespaceOverrideLetsMoreSubscribeAndASubscribeOverItGetsChannelFull() throws Exception {
        List<WsClient> crowd = new ArrayList<>();
        try (WsClient late = connect("/ws")) {
            for (int i = 0; i < 4; i++) {
                crowd.add(subscribedTo("/ws/crowd/1"));
            }
            late.awaitType("welcome");

            late.send("{\"type\":\"subscribe\",\"channel\":\"crowd:1\",\"ref\":\"late\"}");

            JsonObject error = late.awaitType("error");
            assertEquals("channel_full", error.getString("code"));
            assertEquals("late", error.getString("ref"));
        } finally {
            crowd.forEach(WsClient::close);
        }
    }

    @Test
    void aFourthSubscriptionOnOneConnectionGetsTooManySubscriptions() throws Exception {
        try (WsClient client = connect("/ws")) {
            client.awaitType("welcome");
            for (int i = 11; i <= 13; i++) {
                client.send("{\"type\":\"subscribe\",\"channel\":\"diagnosis:" + i + "\"}");
            }
            client.awaitAll(WsClient.ofType("subscribed"), 3);

            client.send("{\"type\":\"subscribe\",\"channel\":\"diagnosis:14\",\"ref\":\"4th\"}");

            JsonObject error = client.awaitType("error");
            assertEquals("too_many_subscriptions", error.getString("code"));
            assertEquals("4th", error.getString("ref"));
        }
    }

    @Test
    void aFullInstanceRefusesTheHandshakeWith503AndRetryAfter() throws Exception {
        List<WsClient> open = new ArrayList<>();
        RawWebSocket refused = null;
        try {
            // Fill the instance with welcomed (so counted) connections until a handshake is refused;
            // earlier tests' connections may still be leaving, so at most the limit of 12 more.
            boolean full = false;
            for (int i = 0; i <= 12 && !full; i++) {
                try {
                    WsClient client = connect("/ws");
                    open.add(client);
                    client.awaitType("welcome");
                } catch (CompletionException e) {
                    assertTrue(String.valueOf(e.getCause()).contains("WebSocketHandshakeException"), e.toString());
                    full = true;
                }
            }
            assertTrue(full, "a handshake was refused once the instance held 12 connections");
            assertTrue(open.size() <= 12, "admitted " + open.size());

            // What the refusal says, read from the raw HTTP answer.
            refused = RawWebSocket.handshake(new Api(base).ws("/ws?token=" + alice));
            assertEquals(503, refused.status());
            assertEquals("instance_full", parse(refused.body()).getString("code"));
            assertNotNull(refused.header("Retry-After"));
        } finally {
            open.forEach(WsClient::close);
            if (refused != null) {
                refused.close();
            }
        }
    }

    @Test
    void anAddressOpeningConnectionsTooFastGets429() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        // From 127.0.0.2, so the other tests' connections from 127.0.0.1 keep their own budget.
        for (int i = 0; i < BURST + 20 && !statuses.contains(429); i++) {
            try (RawWebSocket attempt = RawWebSocket.handshake(new Api(base).ws("/ws"), "127.0.0.2", 0)) {
                statuses.add(attempt.status());
                if (attempt.status() == 429) {
                    assertNotNull(attempt.header("Retry-After"));
                    assertEquals("rate_limited", parse(attempt.body()).getString("code"));
                }
            }
        }

        assertTrue(statuses.contains(429), "statuses: " + statuses);
        assertTrue(statuses.indexOf(429) >= BURST - 1, "the burst was admitted first: " + statuses);
        awaitAudit("type=limit", anyWithCode("rate_limited"));
    }

    @Test
    void aClientFloodingFramesIsClosedWith4029() throws Exception {
        try (WsClient flooder = connect("/ws"); WsClient calm = connect("/ws")) {
            flooder.awaitType("welcome");
            calm.awaitType("welcome");

            try {
                for (int i = 0; i < 200 && !flooder.isClosed(); i++) {
                    flooder.send("{\"type\":\"ping\"}");
                }
            } catch (CompletionException closedWhileSending) {
                // The server closed the connection between two sends: what this test is after.
            }

            assertEquals(4029, flooder.awaitClose());
            calm.send("{\"type\":\"ping\"}");
            calm.awaitType("pong");
            awaitAudit("type=limit&user=alice", anyWithCode(4029));
        }
    }

    @Test
    void aFrameOverTheSizeLimitClosesWith1009AndIsAuditedAsALimit() throws Exception {
        try (WsClient client = connect("/ws")) {
            client.awaitType("welcome");

            client.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70_000) + "\"}");

            assertEquals(1009, client.awaitClose());
            awaitAudit("type=limit&user=alice", anyWithCode(1009));
        }
    }
}
