package dev.herald.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.herald.it.WsClient.eventOn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Health checks, metrics, the status summary and the log of one Herald on a real PostgreSQL,
 * started as in production (with {@code herald.log.format=json}) so the test can read the server's
 * whole output and take the database away.
 */
class ObservabilityIT {

    @TempDir
    static Path workDir;

    @TempDir
    static Path pgData;

    private static RestartablePostgres postgres;
    private static PayaraProcess herald;
    private static Api api;

    @BeforeAll
    static void start() throws Exception {
        postgres = RestartablePostgres.start(pgData);
        herald = PayaraProcess.start(workDir, Map.of(
                "herald.jwt.secret", Jwts.SECRET,
                "herald.db.url", postgres.jdbcUrl(),
                "herald.db.user", "postgres",
                "herald.db.acquire-timeout", "1s",
                "herald.health.timeout", "2s",
                "herald.log.format", "json"));
        api = new Api(herald.url());
    }

    @AfterAll
    static void stop() throws Exception {
        if (herald != null) {
            herald.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void livenessAndReadinessAreUpWithTheDatabaseAndBrokerChecks() {
        HttpResponse<String> live = api.get(null, "health/live");
        assertEquals(200, live.statusCode(), live.body());
        JsonObject liveJson = parse(live.body());
        assertEquals("UP", liveJson.getString("status"));
        assertTrue(check(liveJson, "herald").isPresent(), live.body());

        HttpResponse<String> ready = api.get(null, "health/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        JsonObject readyJson = parse(ready.body());
        assertEquals("UP", readyJson.getString("status"));
        assertEquals("UP", check(readyJson, "herald-database").orElseThrow().getString("status"));
        JsonObject broker = check(readyJson, "herald-broker").orElseThrow();
        assertEquals("connected", broker.getJsonObject("data").getString("state"));
        assertEquals("memory", broker.getJsonObject("data").getString("type"));
    }

    @Test
    void readinessIsDownWhileTheDatabaseIsStoppedAndUpAgainOnceItIsBack() throws Exception {
        postgres.stop();
        try {
            HttpResponse<String> ready = api.get(null, "health/ready");
            assertEquals(503, ready.statusCode(), ready.body());
            JsonObject json = parse(ready.body());
            assertEquals("DOWN", json.getString("status"));
            assertEquals("DOWN", check(json, "herald-database").orElseThrow().getString("status"));
            assertEquals("UP", check(json, "herald-broker").orElseThrow().getString("status"), "the broker is not the database");
            assertEquals(200, api.get(null, "health/live").statusCode(), "a database outage is no reason to restart Herald");
        } finally {
            postgres.restart();
        }
        awaitStatus("health/ready", 200);
    }

    @Test
    void metricsCountAPublishAndItsDeliveryWithALatencySample() throws Exception {
        String channel = "metrics:" + UUID.randomUUID().toString().substring(0, 8);
        String token = Jwts.user("metrics-user").channels("metrics:*").publish("metrics:*").sign();
        Map<String, Double> before = metrics();
        assertTrue(before.containsKey("herald_connections{transport=\"websocket\"}"), before.keySet().toString());

        try (WsClient client = WsClient.connect(api.ws("/ws/" + channel.replace(':', '/')), Map.of("Authorization", "Bearer " + token))) {
            client.awaitType("subscribed");
            Map<String, Double> connected = metrics();
            assertTrue(connected.get("herald_connections{transport=\"websocket\"}") >= 1, connected.toString());
            assertTrue(connected.get("herald_subscriptions") >= 1, connected.toString());
            assertTrue(connected.get("herald_channels") >= 1, connected.toString());

            api.publishOk(token, channel, "step", "1");
            client.await(eventOn(channel));
        }
        Map<String, Double> after = metrics();
        assertTrue(after.get("herald_events_published_total{source=\"http\"}")
                > before.get("herald_events_published_total{source=\"http\"}"), after.toString());
        assertTrue(after.get("herald_events_delivered_total") > before.get("herald_events_delivered_total"), after.toString());
        assertTrue(after.get("herald_delivery_latency_seconds_count") > before.get("herald_delivery_latency_seconds_count"));
        assertEquals(after.get("herald_delivery_latency_seconds_count"), after.get("herald_delivery_latency_seconds_bucket{le=\"+Inf\"}"));
        assertEquals(1.0, after.get("herald_broker_connected{broker=\"memory\"}"));

        HttpResponse<String> raw = api.get(null, "metrics");
        assertTrue(raw.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"), raw.headers().toString());
        assertTrue(raw.body().contains("# TYPE herald_delivery_latency_seconds histogram\n"), raw.body());
    }

    @Test
    void authFailuresAreCounted() {
        double before = metrics().get("herald_auth_failures_total");

        assertEquals(401, api.get("not-a-token", "api/channels/x:y/events").statusCode());

        assertTrue(metrics().get("herald_auth_failures_total") > before);
    }

    @Test
    void statusSummarisesTheInstanceForAdministratorsOnly() {
        assertEquals(401, api.get(null, "api/status").statusCode());
        assertEquals(403, api.get(Jwts.user("bob").sign(), "api/status").statusCode());

        HttpResponse<String> response = api.get(Jwts.user("ops").roles("admin").sign(), "api/status");
        assertEquals(200, response.statusCode(), response.body());
        JsonObject status = parse(response.body());
        assertFalse(status.getString("instance").isBlank());
        assertFalse(status.getString("version").isBlank());
        assertTrue(status.getJsonNumber("uptimeSeconds").longValue() >= 0);
        JsonObject connections = status.getJsonObject("connections");
        assertEquals(connections.getInt("total"), connections.getInt("websocket") + connections.getInt("sse"));
        assertTrue(status.getInt("subscriptions") >= 0);
        assertTrue(status.getInt("channels") >= 0);
        assertEquals("memory", status.getJsonObject("broker").getString("type"));
        assertEquals("connected", status.getJsonObject("broker").getString("state"));
        assertTrue(Set.of("up", "down").contains(status.getJsonObject("store").getString("state")));
        assertTrue(status.getJsonObject("audit").containsKey("queued"));
        JsonObject counters = status.getJsonObject("counters");
        for (String key : new String[]{"delivered", "replayed", "gapsRepaired", "slowConsumerCloses", "authFailures", "storeUnavailable"}) {
            assertTrue(counters.containsKey(key), key + " in " + counters);
        }
        assertTrue(counters.getJsonObject("published").keySet().containsAll(Set.of("websocket", "http", "ingest", "server")));
    }

    @Test
    void tokensInQueryStringsNeverReachTheServerLog() throws Exception {
        String valid = Jwts.user("query-user-" + UUID.randomUUID()).channels("log:*").sign();
        String accessToken = Jwts.user("access-user-" + UUID.randomUUID()).channels("log:*").sign();
        String sseToken = Jwts.user("sse-user-" + UUID.randomUUID()).channels("log:*").sign();
        String bogus = "bogus-" + UUID.randomUUID();

        try (WsClient a = WsClient.connect(api.ws("/ws/log/1?token=" + valid));
             WsClient b = WsClient.connect(api.ws("/ws?access_token=" + accessToken));
             SseClient c = SseClient.open(URI.create(herald.url() + "api/channels/log:1/events?token=" + sseToken), Map.of())) {
            a.awaitType("subscribed");
            b.awaitType("welcome");
            c.awaitEvent("subscribed");
        }
        try (RawWebSocket refused = RawWebSocket.handshake(api.ws("/ws/log/1?token=" + bogus))) {
            assertEquals(401, refused.status());
        }
        assertEquals(401, api.get(null, "api/channels/log:1/events?token=" + bogus).statusCode());

        String log = herald.log();
        assertTrue(log.contains("\"logger\":\"dev.herald."), "Herald logs in JSON:\n" + tail(log));
        for (String secret : new String[]{valid, accessToken, sseToken, bogus, signature(valid)}) {
            assertFalse(log.contains(secret), "the server log contains a token:\n" + tail(log));
        }
    }

    private static String signature(String jwt) {
        return jwt.substring(jwt.lastIndexOf('.') + 1);
    }

    private static String tail(String log) {
        return log.substring(Math.max(0, log.length() - 4000));
    }

    private static void awaitStatus(String path, int status) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        int last;
        do {
            last = api.get(null, path).statusCode();
            if (last == status) {
                return;
            }
            Thread.sleep(200); // polling a condition with a deadline
        } while (System.nanoTime() < deadline);
        throw new AssertionError(path + " still answers " + last + " after 30 s");
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+(?:\\{[^}]*\\})?) (\\S+)$", Pattern.MULTILINE);

    /** Every sample of {@code /metrics}, by name with labels. */
    private static Map<String, Double> metrics() {
        HttpResponse<String> response = api.get(null, "metrics");
        assertEquals(200, response.statusCode(), response.body());
        Map<String, Double> samples = new java.util.HashMap<>();
        Matcher m = SAMPLE.matcher(response.body());
        while (m.find()) {
            samples.put(m.group(1), m.group(2).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(2)));
        }
        return samples;
    }

    private static java.util.Optional<JsonObject> check(JsonObject health, String name) {
        Predicate<JsonObject> named = c -> name.equals(c.getString("name"));
        return health.getJsonArray("checks").stream().map(v -> v.asJsonObject()).filter(named).findFirst();
    }

    private static JsonObject parse(String body) {
        return Json.createReader(new StringReader(body)).readObject();
    }
}
