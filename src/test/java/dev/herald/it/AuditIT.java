package dev.herald.it;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import static dev.herald.testing.Frames.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The audit trail and the admin API on a real server: search, the live stream, admin disconnects. */
@ExtendWith(ArquillianExtension.class)
class AuditIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald(Map.of("herald.audit.flush-interval", "100ms"));
    }

    @ArquillianResource
    URL base;

    private final String admin = Jwts.user("root").roles("admin").sign();

    private static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The search's items once {@code done} holds for them, polling until a deadline: records are written in the background. */
    private List<JsonObject> awaitAudit(String query, Predicate<List<JsonObject>> done) throws InterruptedException {
        return new Api(base).awaitAudit(admin, query, done);
    }

    private static List<String> types(List<JsonObject> items) {
        return items.stream().map(i -> i.getString("type")).toList();
    }

    @Test
    void aConnectDeniedSubscribePublishAndDisconnectAreSearchableByFilterAndCursor() throws Exception {
        String user = unique("alice");
        String token = Jwts.user(user).channels("diagnosis:*").publish("diagnosis:*").sign();
        String channel = "diagnosis:" + unique("d");
        Api api = new Api(base);
        String connectionId;
        try (WsClient client = WsClient.connect(api.ws("/ws"), Map.of("Authorization", "Bearer " + token))) {
            connectionId = client.awaitType("welcome").getString("connectionId");
            client.send("{\"type\":\"subscribe\",\"channel\":\"project:7\",\"ref\":\"s\"}");
            client.awaitType("error");
            client.send("{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"event\":\"timeline_update\",\"data\":{},\"ref\":\"p\"}");
            client.awaitType("published");
        }

        List<JsonObject> all = awaitAudit("user=" + user, items -> items.size() >= 4);

        assertEquals(List.of("disconnect", "publish", "subscribe_denied", "connect"), types(all));
        JsonObject publish = all.get(1);
        assertEquals(channel, publish.getString("channel"));
        assertEquals("websocket", publish.getString("transport"));
        assertEquals(connectionId, publish.getString("connection"));
        assertEquals(1, publish.getJsonObject("detail").getInt("seq"));
        assertEquals("timeline_update", publish.getJsonObject("detail").getString("event"));
        assertEquals("denied", all.get(2).getString("outcome"));
        assertNotNull(all.get(0).getJsonObject("detail").get("code"));

        List<JsonObject> byChannel = awaitAudit("channel=" + URLEncoder.encode(channel.substring(0, channel.length() - 2), StandardCharsets.UTF_8),
                items -> !items.isEmpty());
        assertEquals(List.of("publish"), types(byChannel));

        List<String> paged = new ArrayList<>();
        String cursor = "";
        for (int page = 0; page < 10; page++) {
            JsonObject body = parse(api.get(admin, "api/audit?user=" + user + "&limit=3" + cursor).body());
            body.getJsonArray("items").getValuesAs(JsonObject.class).forEach(i -> paged.add(i.getString("id")));
            if (body.get("next") == JsonValue.NULL) {
                break;
            }
            cursor = "&cursor=" + body.getString("next");
        }
        assertEquals(all.stream().map(i -> i.getString("id")).toList(), paged, "two pages of 3 and 1, in order, no repeats");

        String everything = api.get(admin, "api/audit?limit=1000").body();
        assertFalse(everything.contains(token), "no audit row holds a token");
        assertFalse(everything.contains(admin), "no audit row holds a token");
    }

    @Test
    void theAuditApiRefusesNonAdminsAndBadFilters() {
        Api api = new Api(base);
        assertEquals(401, api.get(null, "api/audit").statusCode());
        assertEquals(403, api.get(Jwts.user("mallory").sign(), "api/audit").statusCode());
        assertEquals(403, api.get(Jwts.user("mallory").sign(), "api/admin/health").statusCode());
        HttpResponse<String> bad = api.get(admin, "api/audit?type=nope");
        assertEquals(400, bad.statusCode());
        assertEquals("invalid_field", parse(bad.body()).getString("code"));
        assertEquals(400, api.get(admin, "api/audit?cursor=garbage").statusCode());
        assertEquals(400, api.get(admin, "api/audit?limit=1001").statusCode());
    }

    @Test
    void theLiveStreamSendsAnAdminOnlyMatchingRecordsAndClosesOthersWith4003() throws Exception {
        Api api = new Api(base);
        try (WsClient outsider = WsClient.connect(api.ws("/ws/audit"), Map.of("Authorization", "Bearer " + Jwts.user("mallory").sign()))) {
            assertEquals(4003, outsider.awaitClose());
        }
        String channel = "diagnosis:" + unique("live");
        String publisher = Jwts.user(unique("pub")).publish("diagnosis:*").sign();
        try (WsClient watcher = WsClient.connect(api.ws("/ws/audit?type=publish&channel=" + channel), Map.of("Authorization", "Bearer " + admin))) {
            assertEquals("publish", watcher.awaitType("filtered").getJsonObject("filter").getString("type"));
            api.publishOk(publisher, "diagnosis:" + unique("other"), "step", "{}");
            api.publishOk(publisher, channel, "step", "{\"n\":1}");
            JsonObject record = watcher.awaitType("audit").getJsonObject("record");
            assertEquals(channel, record.getString("channel"));
            assertEquals("http", record.getString("transport"));

            watcher.send("{\"type\":\"filter\",\"filter\":{\"type\":\"admin\"}}");
            watcher.await(f -> f.getString("type").equals("filtered") && f.getJsonObject("filter").getString("type").equals("admin"));
            api.publishOk(publisher, channel, "step", "{\"n\":2}");
            // One instance, no such connection: 404, and the attempt is audited as a failed admin action.
            assertEquals(404, api.delete(admin, "api/admin/connections/" + unique("nobody")).statusCode());
            JsonObject adminRecord = watcher.await(f -> f.getString("type").equals("audit")
                    && f.getJsonObject("record").getString("type").equals("admin")).getJsonObject("record");
            assertEquals("root", adminRecord.getString("user"));
            assertEquals("failed", adminRecord.getString("outcome"));
            long audits = watcher.frames().stream().map(f -> parse(f)).filter(f -> f.getString("type").equals("audit")).count();
            assertEquals(2, audits, "the second publish did not match the new filter");
        }
    }

    @Test
    void anAdminDisconnectOfAUserClosesTheirSessionsWith4011AndIsAudited() throws Exception {
        Api api = new Api(base);
        String user = unique("eve");
        String token = Jwts.user(user).sign();
        try (WsClient first = WsClient.connect(api.ws("/ws"), Map.of("Authorization", "Bearer " + token));
             WsClient second = WsClient.connect(api.ws("/ws"), Map.of("Authorization", "Bearer " + token))) {
            String firstId = first.awaitType("welcome").getString("connectionId");
            second.awaitType("welcome");

            JsonArray listed = parse(api.get(admin, "api/admin/connections?user=" + user).body()).getJsonArray("items");
            assertEquals(2, listed.size());
            JsonObject one = listed.getJsonObject(0);
            assertEquals(firstId, one.getString("id"));
            assertEquals("websocket", one.getString("transport"));
            assertTrue(one.getJsonNumber("messagesSent").longValue() >= 1, "the welcome was sent");

            HttpResponse<String> closed = api.delete(admin, "api/admin/users/" + user + "/connections");
            assertEquals(200, closed.statusCode(), closed.body());
            assertEquals(2, parse(closed.body()).getInt("closed"));
            assertEquals(4011, first.awaitClose());
            assertEquals(4011, second.awaitClose());
        }

        List<JsonObject> adminRecords = awaitAudit("type=admin&user=root", items -> items.stream()
                .anyMatch(i -> user.equals(i.getJsonObject("detail").getString("target", null))));
        assertTrue(adminRecords.stream().anyMatch(i -> "disconnect_user".equals(i.getJsonObject("detail").getString("action"))));
        List<JsonObject> disconnects = awaitAudit("type=disconnect&user=" + user, items -> items.size() == 2);
        disconnects.forEach(d -> assertEquals(4011, d.getJsonObject("detail").getInt("code")));
        assertEquals(404, api.delete(admin, "api/admin/connections/" + unique("gone")).statusCode());
    }

    @Test
    void healthAndChannelsDescribeThisInstance() {
        Api api = new Api(base);
        String channel = "diagnosis:" + unique("c");
        api.publishOk(Jwts.user("pub").publish("diagnosis:*").sign(), channel, "step", "{}");

        JsonObject health = parse(api.get(admin, "api/admin/health").body());
        assertEquals("UP", health.getString("status"));
        assertEquals("memory", health.getJsonObject("broker").getString("type"));
        assertTrue(health.getJsonObject("store").getBoolean("up"));
        assertEquals(0, health.getJsonObject("audit").getInt("dropped"));

        JsonObject listed = parse(api.get(admin, "api/admin/channels").body()).getJsonArray("items").getValuesAs(JsonObject.class)
                .stream().filter(c -> c.getString("channel").equals(channel)).findFirst().orElseThrow();
        assertEquals(1, listed.getInt("head"));
        assertTrue(listed.getJsonNumber("eventsPerSecond").doubleValue() > 0);
    }
}
