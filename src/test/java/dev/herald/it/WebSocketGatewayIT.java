package dev.herald.it;

import dev.herald.it.app.CancelWorker;
import dev.herald.it.app.OwnershipAuthorizer;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import static dev.herald.it.WsClient.eventOn;
import static dev.herald.it.WsClient.ofType;
import static dev.herald.it.WsClient.seq;
import static dev.herald.testing.Frames.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Herald on a real Payara Micro, driven by a real WebSocket client and HTTP: authentication,
 * grants, delivery on both URL forms, replay, acks, commands and every kind of bad input.
 */
@ExtendWith(ArquillianExtension.class)
class WebSocketGatewayIT {

    private static final AtomicInteger CHANNELS = new AtomicInteger();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald(Map.of("herald.auth-timeout", "2s"), OwnershipAuthorizer.class, CancelWorker.class);
    }

    @ArquillianResource
    URL base;

    private Api api;
    private String admin;

    @BeforeEach
    void setUp() {
        api = new Api(base);
        admin = Jwts.user("ops").roles("admin").sign();
    }

    /** A channel no other test uses, so tests never see each other's events. */
    private static String freshChannel(String namespace) {
        return namespace + ":" + CHANNELS.incrementAndGet() + "-" + System.nanoTime();
    }

    private WsClient connect(String token) {
        return WsClient.connect(api.ws("/ws"), Map.of("Authorization", "Bearer " + token));
    }

    // --- authentication ------------------------------------------------------------------------

    @Test
    void aTokenInTheHeaderTheQueryOrTheFirstFrameIsWelcomed() throws Exception {
        String token = Jwts.user("alice").sign();
        try (WsClient header = connect(token);
             WsClient query = WsClient.connect(api.ws("/ws?token=" + token));
             WsClient accessToken = WsClient.connect(api.ws("/ws?access_token=" + token));
             WsClient frame = WsClient.connect(api.ws("/ws"))) {
            frame.send("{\"type\":\"auth\",\"token\":\"" + token + "\"}");
            for (WsClient client : List.of(header, query, accessToken, frame)) {
                JsonObject welcome = client.awaitType("welcome");
                assertEquals("alice", welcome.getString("user"));
                assertFalse(welcome.getString("connectionId").isEmpty());
                assertEquals(30, welcome.getJsonObject("heartbeat").getInt("interval"));
                assertEquals(10, welcome.getJsonObject("heartbeat").getInt("timeout"));
            }
        }
    }

    @Test
    void anInvalidHandshakeTokenIsRefusedWith401BeforeTheUpgradeAndAnInvalidAuthFrameIsClosedWith4001() throws Exception {
        Jwts.Builder alice = Jwts.user("alice");
        Map<String, String> invalid = Map.of(
                "bad signature", alice.hs256("another-secret-that-is-long-enough-0123456789"),
                "expired", Jwts.user("alice").expiresIn(Duration.ofMinutes(-5)).sign(),
                "alg none", alice.unsigned(),
                "alg none with a signature", alice.noneWithSignature(),
                "wrong key type (RS256 to an HS256 server)", alice.rs256(),
                "garbage", "not.a.token");
        for (Map.Entry<String, String> token : invalid.entrySet()) {
            try (RawWebSocket viaHeader = RawWebSocket.handshake(api.ws("/ws"), Map.of("Authorization", "Bearer " + token.getValue()));
                 RawWebSocket viaQuery = RawWebSocket.handshake(api.ws("/ws/diagnosis/1?access_token=" + token.getValue()));
                 WsClient viaFrame = WsClient.connect(api.ws("/ws"))) {
                viaFrame.send("{\"type\":\"auth\",\"token\":\"" + token.getValue() + "\"}");
                for (RawWebSocket refused : List.of(viaHeader, viaQuery)) {
                    assertEquals(401, refused.status(), token.getKey() + " in the handshake: " + refused.body());
                    assertEquals("unauthorized", parse(refused.body()).getString("code"), token.getKey());
                    assertEquals("Bearer", refused.header("WWW-Authenticate"));
                }
                assertEquals(4001, viaFrame.awaitClose(), token.getKey() + " in an auth frame");
            }
        }
    }

    @Test
    void aConnectionWithoutAnyTokenIsClosedAfterTheAuthTimeout() {
        try (WsClient silent = WsClient.connect(api.ws("/ws"))) {
            assertEquals(4001, silent.awaitClose());
            assertTrue(silent.frames().isEmpty());
        }
    }

    @Test
    void aFirstFrameOtherThanAuthIsClosedWith4001() {
        try (WsClient eager = WsClient.connect(api.ws("/ws"))) {
            eager.send("{\"type\":\"subscribe\",\"channel\":\"user:alice\"}");
            assertEquals(4001, eager.awaitClose());
        }
    }

    @Test
    void concurrentHandshakesEachKeepTheirOwnToken() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> users = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                String user = "user-" + i;
                users.add(pool.submit(() -> {
                    try (WsClient client = connect(Jwts.user(user).sign())) {
                        return client.awaitType("welcome").getString("user");
                    }
                }));
            }
            for (int i = 0; i < users.size(); i++) {
                assertEquals("user-" + i, users.get(i).get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLaterAuthFrameRefreshesTheToken() throws Exception {
        try (WsClient client = connect(Jwts.user("alice").expiresIn(Duration.ofMinutes(2)).sign())) {
            client.awaitType("welcome");
            client.send("{\"type\":\"auth\",\"token\":\"" + Jwts.user("alice").expiresIn(Duration.ofHours(2)).sign() + "\"}");
            JsonObject refreshed = client.awaitType("refreshed");
            assertEquals("alice", refreshed.getString("user"));
            assertTrue(refreshed.getJsonNumber("exp").longValue() > System.currentTimeMillis() / 1000 + 3600);
        }
    }

    // --- authorization -------------------------------------------------------------------------

    @Test
    void grantsPersonalAndTenantChannelsDecideWhatMaySubscribe() throws Exception {
        String token = Jwts.user("alice").tenant("acme").channels("project:*", "diagnosis:42").sign();
        try (WsClient client = connect(token)) {
            client.awaitType("welcome");
            for (String allowed : List.of("project:7", "diagnosis:42", "user:alice", "tenant:acme")) {
                client.send("{\"type\":\"subscribe\",\"channel\":\"" + allowed + "\",\"ref\":\"" + allowed + "\"}");
                assertEquals(allowed, client.await(o -> "subscribed".equals(o.getString("type"))
                        && allowed.equals(o.getString("channel"))).getString("ref"));
            }
            for (String refused : List.of("diagnosis:43", "user:bob", "tenant:other", "audit:all")) {
                client.send("{\"type\":\"subscribe\",\"channel\":\"" + refused + "\",\"ref\":\"" + refused + "\"}");
                JsonObject error = client.await(o -> "error".equals(o.getString("type")) && refused.equals(o.getString("ref", null)));
                assertEquals("forbidden", error.getString("code"));
            }
            assertFalse(client.isClosed(), "a refused subscribe keeps the connection");
        }
    }

    @Test
    void theApplicationsAuthorizerDeniesAndAllowsBeyondTheToken() throws Exception {
        try (WsClient alice = connect(Jwts.user("alice").channels("diagnosis:*").sign());
             WsClient carol = connect(Jwts.user("carol").sign())) {
            alice.awaitType("welcome");
            carol.awaitType("welcome");
            alice.send("{\"type\":\"subscribe\",\"channel\":\"diagnosis:13\",\"ref\":\"a\"}");
            carol.send("{\"type\":\"subscribe\",\"channel\":\"diagnosis:13\",\"ref\":\"c\"}");
            assertEquals("forbidden", alice.awaitType("error").getString("code"));
            assertEquals("diagnosis:13", carol.awaitType("subscribed").getString("channel"));
        }
        try (WsClient admin = connect(this.admin)) {
            admin.send("{\"type\":\"subscribe\",\"channel\":\"diagnosis:13\"}");
            assertEquals("diagnosis:13", admin.awaitType("subscribed").getString("channel"), "admin may do everything");
        }
    }

    @Test
    void aSingleChannelUrlTheTokenDoesNotGrantIsClosedWith4003() {
        try (WsClient client = WsClient.connect(api.ws("/ws/project/7"),
                Map.of("Authorization", "Bearer " + Jwts.user("alice").channels("diagnosis:*").sign()))) {
            assertEquals(4003, client.awaitClose());
        }
        try (WsClient client = WsClient.connect(api.ws("/ws/Bad_Namespace/7?token=" + admin))) {
            assertEquals(4000, client.awaitClose(), "an invalid channel in the URL is a bad request");
        }
    }

    // --- delivery ------------------------------------------------------------------------------

    @Test
    void anHttpPublishReachesSubscribersOnBothUrlForms() throws Exception {
        String channel = freshChannel("diagnosis");
        String[] parts = channel.split(":");
        String token = Jwts.user("alice").channels("diagnosis:*").publish("diagnosis:*").sign();
        try (WsClient multiplexed = connect(token);
             WsClient single = WsClient.connect(api.ws("/ws/" + parts[0] + "/" + parts[1]), Map.of("Authorization", "Bearer " + token))) {
            multiplexed.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
            multiplexed.awaitType("subscribed");
            JsonObject subscribed = single.awaitType("subscribed");
            assertEquals(channel, subscribed.getString("channel"));
            assertEquals(0, subscribed.getInt("seq"));

            HttpResponse<String> response = api.publish(token, channel,
                    "{\"type\":\"agent_message\",\"data\":{\"text\":\"héllo \\u2028 \\\"quoted\\\"\"},\"correlationId\":\"c-7\"}");
            assertEquals(201, response.statusCode(), response.body());
            JsonObject created = parse(response.body());
            assertEquals(1, created.getInt("seq"));
            assertTrue(response.headers().firstValue("Location").orElseThrow().endsWith("/api/channels/" + channel + "/events/1"));

            for (WsClient client : List.of(multiplexed, single)) {
                JsonObject event = client.await(eventOn(channel));
                assertEquals("agent_message", event.getString("type"));
                assertEquals(1, seq(event));
                assertEquals("héllo \u2028 \"quoted\"", event.getJsonObject("data").getString("text"));
                assertEquals("c-7", event.getString("correlationId"));
                assertEquals(created.getString("ts"), event.getString("ts"));
            }
        }
    }

    @Test
    void aWebSocketPublishIsAnsweredAndDeliveredToOtherSubscribers() throws Exception {
        String channel = freshChannel("project");
        try (WsClient publisher = connect(Jwts.user("bot").publish("project:*").sign());
             WsClient reader = connect(Jwts.user("alice").channels("project:*").sign())) {
            reader.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
            reader.awaitType("subscribed");
            publisher.send("{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"event\":\"lock_changed\",\"data\":[1,2],\"ref\":\"p1\"}");
            JsonObject published = publisher.awaitType("published");
            assertEquals(1, published.getInt("seq"));
            assertEquals("p1", published.getString("ref"));
            assertEquals("[1,2]", reader.await(eventOn(channel)).get("data").toString());

            reader.send("{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"event\":\"x\",\"data\":{},\"ref\":\"no\"}");
            assertEquals("forbidden", reader.awaitType("error").getString("code"), "subscribe grants do not publish");
        }
    }

    @Test
    void personalChannelsReachEveryConnectionOfTheUser() throws Exception {
        try (WsClient laptop = connect(Jwts.user("dora").sign());
             WsClient phone = connect(Jwts.user("dora").sign())) {
            for (WsClient c : List.of(laptop, phone)) {
                c.send("{\"type\":\"subscribe\",\"channel\":\"user:dora\"}");
                c.awaitType("subscribed");
            }
            long seq = api.publishOk(admin, "user:dora", "notification", "{\"n\":1}");
            assertEquals(seq, seq(laptop.await(eventOn("user:dora"))));
            assertEquals(seq, seq(phone.await(eventOn("user:dora"))));
        }
    }

    // --- replay --------------------------------------------------------------------------------

    @Test
    void aReconnectingClientGetsEveryEventOnceInOrderWhileAPublisherIsBusy() throws Exception {
        String channel = freshChannel("diagnosis");
        String token = Jwts.user("alice").channels("diagnosis:*").sign();
        int total = 300;
        ExecutorService publisher = Executors.newSingleThreadExecutor();
        try (WsClient first = connect(token)) {
            first.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
            first.awaitType("subscribed");
            Future<?> publishing = publisher.submit(() -> {
                for (int i = 1; i <= total; i++) {
                    api.publishOk(admin, channel, "output", "{\"line\":" + i + "}");
                }
            });
            List<JsonObject> before = first.awaitAll(eventOn(channel), 40);
            first.abort(); // the network drops mid-stream
            long lastSeen = seq(before.get(before.size() - 1));

            try (WsClient second = connect(token)) {
                second.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\",\"since\":" + lastSeen + "}");
                JsonObject subscribed = second.awaitType("subscribed");
                assertTrue(subscribed.getBoolean("recovered"));
                publishing.get(120, TimeUnit.SECONDS);
                List<JsonObject> after = second.awaitAll(eventOn(channel), (int) (total - lastSeen));
                List<Long> seen = new ArrayList<>(before.stream().map(WsClient::seq).toList());
                seen.addAll(after.stream().map(WsClient::seq).toList());
                assertEquals(LongStream.rangeClosed(1, total).boxed().toList(), seen);
                assertEquals(total - lastSeen, second.frames().stream().map(f -> parse(f)).filter(eventOn(channel)).count(),
                        "no duplicates after the last event either");
            }
        } finally {
            publisher.shutdownNow();
        }
    }

    @Test
    void asinceBeyondTheHeadIsNotRecoveredAndGoesLive() throws Exception {
        String channel = freshChannel("diagnosis");
        api.publishOk(admin, channel, "step", "1");
        try (WsClient client = connect(admin)) {
            client.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\",\"since\":50}");
            JsonObject subscribed = client.awaitType("subscribed");
            assertFalse(subscribed.getBoolean("recovered"));
            assertEquals(0, subscribed.getInt("replayed"));
            assertEquals(1, subscribed.getInt("seq"));
            api.publishOk(admin, channel, "step", "2");
            assertEquals(2, seq(client.await(eventOn(channel))));
        }
    }

    @Test
    void aClientWithoutSinceResumesAfterItsLastAck() throws Exception {
        String channel = freshChannel("diagnosis");
        String token = Jwts.user("erin").channels("diagnosis:*").sign();
        try (WsClient client = connect(token)) {
            client.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
            client.awaitType("subscribed");
            for (int i = 1; i <= 4; i++) {
                api.publishOk(admin, channel, "step", Integer.toString(i));
            }
            client.awaitAll(eventOn(channel), 4);
            client.send("{\"type\":\"ack\",\"channel\":\"" + channel + "\",\"seq\":2}");
            client.send("{\"type\":\"ack\",\"channel\":\"" + channel + "\",\"seq\":9}");
            assertEquals("invalid_ack", client.awaitType("error").getString("code"), "acks only cover delivered events");
        }
        try (WsClient again = WsClient.connect(api.ws("/ws/" + channel.replace(':', '/')), Map.of("Authorization", "Bearer " + token))) {
            JsonObject subscribed = again.awaitType("subscribed");
            assertTrue(subscribed.getBoolean("recovered"));
            assertEquals(2, subscribed.getInt("replayed"));
            assertEquals(List.of(3L, 4L), again.awaitAll(eventOn(channel), 2).stream().map(WsClient::seq).toList());
        }
    }

    // --- commands ------------------------------------------------------------------------------

    @Test
    void aCommandReachesTheApplicationWhichAnswersWithAnEvent() throws Exception {
        String channel = freshChannel("diagnosis");
        try (WsClient client = connect(Jwts.user("alice").channels("diagnosis:*").sign())) {
            client.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
            client.awaitType("subscribed");
            client.send("{\"type\":\"command\",\"channel\":\"" + channel + "\",\"name\":\"cancel\",\"data\":{\"iteration\":3},\"ref\":\"k1\"}");
            assertEquals("k1", client.awaitType("accepted").getString("ref"));
            JsonObject cancelled = client.await(eventOn(channel));
            assertEquals("iteration_cancelled", cancelled.getString("type"));
            assertEquals(3, cancelled.getJsonObject("data").getInt("iteration"));
            assertEquals("k1", cancelled.getString("correlationId"));
        }
    }

    // --- connection limit and presence ---------------------------------------------------------

    @Test
    void theSixthConnectionOfAUserClosesTheFirstWith4008() throws Exception {
        String token = Jwts.user("fiona").sign();
        List<WsClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                WsClient client = connect(token);
                clients.add(client);
                client.awaitType("welcome");
            }
            assertEquals(4008, clients.get(0).awaitClose(), "the oldest is replaced (default limit 5)");
            for (WsClient kept : clients.subList(1, 6)) {
                kept.send("{\"type\":\"ping\"}");
                kept.awaitType("pong");
                assertFalse(kept.isClosed());
            }
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    @Test
    void presenceOverWebSocketAndHttpListsEachSubscribedUserWithTheirConnections() throws Exception {
        String channel = freshChannel("diagnosis");
        String gina = Jwts.user("gina").channels("diagnosis:*").sign();
        try (WsClient ginaLaptop = connect(gina);
             WsClient ginaPhone = WsClient.connect(api.ws("/ws/" + channel.replace(':', '/')), Map.of("Authorization", "Bearer " + gina));
             WsClient hal = connect(Jwts.user("hal").channels(channel).sign());
             WsClient watcher = connect(Jwts.user("ivan").channels("diagnosis:*").sign())) {
            for (WsClient c : List.of(ginaLaptop, hal)) {
                c.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
                c.awaitType("subscribed");
            }
            ginaPhone.awaitType("subscribed");
            String users = "[{\"user\":\"gina\",\"connections\":2},{\"user\":\"hal\",\"connections\":1}]";

            watcher.send("{\"type\":\"presence\",\"channel\":\"" + channel + "\",\"ref\":\"p1\"}");
            JsonObject frame = watcher.awaitType("presence");
            assertEquals(channel, frame.getString("channel"));
            assertEquals("p1", frame.getString("ref"));
            assertEquals(users, frame.getJsonArray("users").toString());

            HttpResponse<String> response = api.get(admin, "api/channels/" + channel + "/presence");
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
            assertEquals("{\"channel\":\"" + channel + "\",\"users\":" + users + "}", response.body());

            hal.send("{\"type\":\"unsubscribe\",\"channel\":\"" + channel + "\"}");
            hal.awaitType("unsubscribed");
            ginaPhone.close();
            awaitBody(channel, "{\"channel\":\"" + channel + "\",\"users\":[{\"user\":\"gina\",\"connections\":1}]}");
        }
    }

    @Test
    void presenceOverHttpRefusesAsTheOtherEndpointsDo() {
        String channel = freshChannel("diagnosis");
        record Case(String token, String channel, int status, String code) {
        }
        List<Case> cases = List.of(
                new Case(null, channel, 401, "unauthorized"),
                new Case(Jwts.user("ivan").expiresIn(Duration.ofMinutes(-5)).sign(), channel, 401, "unauthorized"),
                new Case(admin, "Not-A-Channel", 400, "invalid_channel"),
                new Case(Jwts.user("ivan").channels("project:*").sign(), channel, 403, "forbidden"),
                new Case(Jwts.user("ivan").channels("diagnosis:*").sign(), "diagnosis:13", 403, "forbidden"));
        for (Case c : cases) {
            HttpResponse<String> response = api.get(c.token(), "api/channels/" + c.channel() + "/presence");
            assertEquals(c.status(), response.statusCode(), c.code() + ": " + response.body());
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
            JsonObject problem = parse(response.body());
            assertEquals(c.code(), problem.getString("code"));
            assertEquals(c.status(), problem.getInt("status"));
        }
    }

    /** Polls the presence endpoint until it answers {@code expected}: a close reaches the server a moment after the client sent it. */
    private void awaitBody(String channel, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + WsClient.WAIT.toNanos();
        String body;
        while (!(body = api.get(admin, "api/channels/" + channel + "/presence").body()).equals(expected)) {
            if (System.nanoTime() - deadline > 0) {
                assertEquals(expected, body, "presence within " + WsClient.WAIT);
            }
            Thread.sleep(50);
        }
    }

    // --- bad input -----------------------------------------------------------------------------

    @Test
    void badFramesAreAnsweredWithTheirErrorCodeAndTheConnectionStaysUp() throws Exception {
        Map<String, String> frames = new java.util.LinkedHashMap<>();
        frames.put("{not json", "bad_json");
        frames.put("[1,2]", "bad_frame");
        frames.put("{\"channel\":\"user:alice\"}", "bad_frame");
        frames.put("{\"type\":\"teleport\",\"ref\":\"r\"}", "unknown_type");
        frames.put("{\"type\":\"subscribe\",\"ref\":\"r\"}", "missing_field");
        frames.put("{\"type\":\"subscribe\",\"channel\":\"NoColon\",\"ref\":\"r\"}", "invalid_channel");
        frames.put("{\"type\":\"subscribe\",\"channel\":\"user:alice\",\"since\":-1,\"ref\":\"r\"}", "invalid_field");
        frames.put("{\"type\":\"subscribe\",\"channel\":\"project:1\",\"ref\":\"r\"}", "forbidden");
        frames.put("{\"type\":\"unsubscribe\",\"channel\":\"user:alice\",\"ref\":\"r\"}", "not_subscribed");
        frames.put("{\"type\":\"ack\",\"channel\":\"user:alice\",\"ref\":\"r\"}", "missing_field");
        frames.put("{\"type\":\"publish\",\"channel\":\"user:alice\",\"ref\":\"r\"}", "missing_field");
        frames.put("{\"type\":\"presence\",\"ref\":\"r\"}", "missing_field");
        frames.put("{\"type\":\"presence\",\"channel\":\"project:1\",\"ref\":\"r\"}", "forbidden");
        try (WsClient client = connect(Jwts.user("alice").sign())) {
            client.awaitType("welcome");
            int errors = 0;
            for (Map.Entry<String, String> frame : frames.entrySet()) {
                client.send(frame.getKey());
                errors++;
                List<JsonObject> all = client.awaitAll(ofType("error"), errors);
                assertEquals(frame.getValue(), all.get(errors - 1).getString("code"), frame.getKey());
                assertFalse(all.get(errors - 1).getString("message").isEmpty());
            }
            client.send("{\"type\":\"ping\"}");
            client.awaitType("pong");
            assertFalse(client.isClosed());
        }
    }

    @Test
    void aFrameOverTheSizeLimitClosesWith1009() {
        try (WsClient client = connect(Jwts.user("alice").sign())) {
            client.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70 * 1024) + "\"}");
            assertEquals(1009, client.awaitClose());
        }
    }

    @Test
    void rejectedHttpPublishesAreProblemsAndStoreNothing() {
        String channel = freshChannel("diagnosis");
        String publisher = Jwts.user("bot").publish("diagnosis:*").channels("diagnosis:*").sign();
        record Case(String token, String channel, String body, String contentType, int status, String code) {
        }
        List<Case> cases = List.of(
                new Case(publisher, channel, "{not json", "application/json", 400, "bad_json"),
                new Case(publisher, channel, "{\"type\":\"x\"} {\"type\":\"y\"}", "application/json", 400, "bad_json"),
                new Case(publisher, channel, "{\"data\":{}}", "application/json", 400, "missing_field"),
                new Case(publisher, channel, "{\"type\":\"welcome\"}", "application/json", 400, "reserved_event_type"),
                new Case(publisher, channel, "{\"type\":\"has space\"}", "application/json", 400, "invalid_event_type"),
                new Case(publisher, "Not-A-Channel", "{\"type\":\"x\"}", "application/json", 400, "invalid_channel"),
                new Case(null, channel, "{\"type\":\"x\"}", "application/json", 401, "unauthorized"),
                new Case(Jwts.user("bot").expiresIn(Duration.ofMinutes(-5)).sign(), channel, "{\"type\":\"x\"}", "application/json", 401, "unauthorized"),
                new Case(Jwts.user("reader").channels("diagnosis:*").sign(), channel, "{\"type\":\"x\"}", "application/json", 403, "forbidden"),
                new Case(publisher, channel, "{\"type\":\"x\",\"data\":\"" + "y".repeat(70 * 1024) + "\"}", "application/json", 413, "payload_too_large"),
                new Case(publisher, channel, "{\"type\":\"x\"}", "text/plain", 415, "unsupported_media_type"));
        for (Case c : cases) {
            HttpResponse<String> response = api.publish(c.token(), c.channel(), c.body(), c.contentType());
            assertEquals(c.status(), response.statusCode(), c.code() + ": " + response.body());
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
            JsonObject problem = parse(response.body());
            assertEquals(c.code(), problem.getString("code"));
            assertEquals(c.status(), problem.getInt("status"));
        }
        JsonObject history = api.history(publisher, channel, 0);
        assertEquals(0, history.getInt("head"), "nothing was stored");
        assertTrue(history.getJsonArray("events").isEmpty());
    }

    @Test
    void aChunkedPublishIsReadToItsEndAndRefusedPastTheLimit() {
        String channel = freshChannel("diagnosis");
        String publisher = Jwts.user("bot").publish("diagnosis:*").channels("diagnosis:*").sign();
        HttpResponse<String> tooLarge = api.publishChunked(publisher, channel, "{\"type\":\"x\",\"data\":\"" + "y".repeat(70 * 1024) + "\"}");
        assertEquals(413, tooLarge.statusCode(), tooLarge.body());
        assertEquals("payload_too_large", parse(tooLarge.body()).getString("code"));

        HttpResponse<String> published = api.publishChunked(publisher, channel, "{\"type\":\"x\",\"data\":\"" + "y".repeat(20 * 1024) + "\"}");
        assertEquals(201, published.statusCode(), published.body());
        assertEquals(1, parse(published.body()).getInt("seq"));
        JsonObject history = api.history(publisher, channel, 0);
        assertEquals(20 * 1024, history.getJsonArray("events").getJsonObject(0).getString("data").length());
    }

    @Test
    void aBatchIsCommittedWholeAndDeliveredInItsOrderOnEveryChannel() throws Exception {
        String first = freshChannel("diagnosis");
        String second = freshChannel("diagnosis");
        String token = Jwts.user("bot").channels("diagnosis:*").publish("diagnosis:*").sign();
        try (WsClient client = connect(token)) {
            for (String channel : List.of(first, second)) {
                client.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
                client.await(f -> "subscribed".equals(f.getString("type")) && channel.equals(f.getString("channel")));
            }
            HttpResponse<String> response = api.publishBatch(token, "{\"events\":["
                    + "{\"channel\":\"" + first + "\",\"type\":\"step\",\"data\":1},"
                    + "{\"channel\":\"" + second + "\",\"type\":\"step\",\"data\":2,\"idempotencyKey\":\"" + second + "-2\"},"
                    + "{\"channel\":\"" + first + "\",\"type\":\"step\",\"data\":3,\"correlationId\":\"c-3\"}]}");
            assertEquals(200, response.statusCode(), response.body());
            List<JsonObject> results = parse(response.body()).getJsonArray("events").getValuesAs(JsonObject.class);
            assertEquals(List.of(first + " 1", second + " 1", first + " 2"),
                    results.stream().map(r -> r.getString("channel") + " " + r.getInt("seq")).toList());
            assertTrue(results.stream().noneMatch(r -> r.containsKey("duplicate")));

            assertEquals(List.of(1, 3), client.awaitAll(eventOn(first), 2).stream().map(e -> e.getInt("data")).toList());
            assertEquals(2, client.await(eventOn(second)).getInt("data"));

            HttpResponse<String> again = api.publishBatch(token, "{\"events\":[{\"channel\":\"" + first
                    + "\",\"type\":\"step\",\"data\":4,\"idempotencyKey\":\"" + second + "-2\"}]}");
            assertEquals(200, again.statusCode(), again.body());
            JsonObject duplicate = parse(again.body()).getJsonArray("events").getJsonObject(0);
            assertEquals(second, duplicate.getString("channel"), "the key's event, on the channel it was stored on");
            assertEquals(1, duplicate.getInt("seq"));
            assertTrue(duplicate.getBoolean("duplicate"));
            assertEquals(2, api.history(token, first, 0).getInt("head"), "the repeat stored nothing");
        }
    }

    @Test
    void aRefusedBatchNamesItsFirstBadEventAndStoresNothing() {
        String channel = freshChannel("diagnosis");
        String publisher = Jwts.user("bot").publish("diagnosis:*").channels("diagnosis:*").sign();
        String good = "{\"channel\":\"" + channel + "\",\"type\":\"x\"}";
        record Case(String body, int status, String code, String detail) {
        }
        List<Case> cases = List.of(
                new Case("{}", 400, "missing_field", "'events'"),
                new Case("{\"events\":[]}", 400, "invalid_field", "1 to "),
                new Case("{\"events\":[" + good + ",{\"channel\":\"Bad\",\"type\":\"x\"}]}", 400, "invalid_channel", "events[1]: "),
                new Case("{\"events\":[" + good + ",{\"channel\":\"" + channel + "\"}]}", 400, "missing_field", "events[1]: "),
                new Case("{\"events\":[" + good + ",{\"channel\":\"" + channel + "\",\"type\":\"x\",\"idempotencyKey\":\"\"}]}",
                        400, "invalid_field", "events[1]: "),
                new Case("{\"events\":[" + good + ",{\"channel\":\"billing:1\",\"type\":\"x\"}]}", 403, "forbidden", "events[1]: "));
        for (Case c : cases) {
            HttpResponse<String> response = api.publishBatch(publisher, c.body());
            assertEquals(c.status(), response.statusCode(), c.code() + ": " + response.body());
            JsonObject problem = parse(response.body());
            assertEquals(c.code(), problem.getString("code"));
            assertTrue(problem.getString("detail").contains(c.detail()), problem.toString());
        }
        assertEquals(0, api.history(publisher, channel, 0).getInt("head"), "nothing was stored");
    }

    @Test
    void aSinglePublishRepeatedWithItsIdempotencyKeyStoresOnce() {
        String channel = freshChannel("diagnosis");
        String publisher = Jwts.user("bot").publish("diagnosis:*").channels("diagnosis:*").sign();
        String key = "order-" + channel;
        HttpResponse<String> first = api.publishOnce(publisher, channel, key, "{\"type\":\"x\",\"data\":1}");
        HttpResponse<String> again = api.publishOnce(publisher, channel, key, "{\"type\":\"x\",\"data\":1}");
        assertEquals(201, first.statusCode(), first.body());
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(parse(first.body()).getInt("seq"), parse(again.body()).getInt("seq"));
        assertEquals(parse(first.body()).getString("ts"), parse(again.body()).getString("ts"));
        assertTrue(parse(again.body()).getBoolean("duplicate"));
        assertEquals(1, api.history(publisher, channel, 0).getInt("head"));
        assertEquals(400, api.publishOnce(publisher, channel, "x".repeat(129), "{\"type\":\"x\"}").statusCode());
    }

    @Test
    void publishesAreAnsweredInJsonWhateverAcceptNames() {
        String channel = freshChannel("diagnosis");
        String publisher = Jwts.user("bot").publish("diagnosis:*").channels("diagnosis:*").sign();

        HttpResponse<String> single = api.post(publisher, "api/channels/" + channel + "/events", "{\"type\":\"x\"}",
                Map.of("Accept", "text/html"));
        HttpResponse<String> batch = api.post(publisher, "api/events",
                "{\"events\":[{\"channel\":\"" + channel + "\",\"type\":\"x\"}]}", Map.of("Accept", "text/html"));

        assertEquals(201, single.statusCode(), single.body());
        assertTrue(single.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertEquals(1, parse(single.body()).getInt("seq"));
        assertEquals(200, batch.statusCode(), batch.body());
        assertEquals(2, parse(batch.body()).getJsonArray("events").getJsonObject(0).getInt("seq"));
    }

    @Test
    void theHistoryApiPagesThroughStoredEvents() {
        String channel = freshChannel("diagnosis");
        for (int i = 1; i <= 5; i++) {
            api.publishOk(admin, channel, "step", Integer.toString(i));
        }
        HttpResponse<String> page = api.get(admin, "api/channels/" + channel + "/events?since=1&limit=2");
        JsonObject body = parse(page.body());
        assertEquals(5, body.getInt("head"));
        assertEquals(List.of(2L, 3L), body.getJsonArray("events").stream().map(v -> seq(v.asJsonObject())).toList());
        assertEquals(3, body.getInt("next"));
        assertTrue(body.getBoolean("more"));
        assertEquals(403, api.get(Jwts.user("nobody").sign(), "api/channels/" + channel + "/events").statusCode());
        assertEquals(400, api.get(admin, "api/channels/" + channel + "/events?limit=5000").statusCode());
        assertEquals(4, seq(parse(api.get(admin, "api/channels/" + channel + "/events/4").body())));
        assertEquals(404, api.get(admin, "api/channels/" + channel + "/events/6").statusCode());
    }
}
