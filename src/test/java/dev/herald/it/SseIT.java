package dev.herald.it;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.herald.testing.Frames.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SSE transport on a real server, read by the JDK's HTTP client: the wire format, resume,
 * the three ways to pass a token, refusals before any stream, heartbeats, and the closes a stream
 * shares with WebSocket connections. Timings are shortened to seconds.
 */
@ExtendWith(ArquillianExtension.class)
class SseIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald(Map.of(
                "herald.sse.heartbeat", "1s",
                "herald.sse.retry", "2s",
                "herald.heartbeat.interval", "1s",
                "herald.heartbeat.timeout", "1s",
                "herald.idle-timeout", "3s",
                "herald.limits.connections-per-user", "2",
                "herald.jwt.clock-skew", "1s"));
    }

    @ArquillianResource
    URL base;

    private Api api;
    private final String publisher = Jwts.user("backend").publish("*").sign();

    @BeforeEach
    void api() {
        api = new Api(base);
    }

    private URI events(String channel, String query) {
        return URI.create(base.toString().replaceAll("/?$", "/") + "api/channels/" + channel + "/events" + (query == null ? "" : "?" + query));
    }

    private static String reader(String user) {
        return Jwts.user(user).channels("sse:*").sign();
    }

    private static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    @Test
    void streamsEachEventWithItsSeqAsIdItsTypeAsEventAndTheWebSocketFrameAsData() throws Exception {
        try (SseClient stream = SseClient.open(events("sse:live", null), bearer(reader("ann")))) {
            assertEquals(200, stream.status());
            assertTrue(stream.header("Content-Type").startsWith("text/event-stream"), stream.header("Content-Type"));
            assertEquals("no-cache", stream.header("Cache-Control"));
            assertEquals("no", stream.header("X-Accel-Buffering"));
            SseClient.Event subscribed = stream.awaitEvent("subscribed");
            assertNull(subscribed.id());
            assertEquals("{\"type\":\"subscribed\",\"channel\":\"sse:live\",\"seq\":0,\"recovered\":false,\"replayed\":0}", subscribed.data());
            assertEquals("2000", stream.retry());
            assertEquals("retry: 2000", stream.lines().get(0), "the retry hint comes first");

            api.publishOk(publisher, "sse:live", "timeline_update", "{\"step\":1,\"title\":\"Collecting logs\"}");

            SseClient.Event event = stream.awaitEvent("timeline_update");
            assertEquals("1", event.id());
            JsonObject stored = api.history(Jwts.user("backend").channels("*").sign(), "sse:live", 0)
                    .getJsonArray("events").getJsonObject(0);
            assertEquals(stored, parse(event.data()), "the same frame as in the history and on a WebSocket");
            assertFalse(event.data().contains("\n"), "one data line");
        }
    }

    @Test
    void aStreamIsAnSseConnectionInTheAdminListingAndTheAudit() throws Exception {
        String admin = Jwts.user("root").roles("admin").sign();
        try (SseClient stream = SseClient.open(events("sse:listed", null), bearer(reader("lea")))) {
            stream.awaitEvent("subscribed");

            JsonObject listed = parse(api.get(admin, "api/admin/connections?user=lea").body());
            JsonObject connection = listed.getJsonArray("items").getJsonObject(0);
            assertEquals("sse", connection.getString("transport"));
            assertEquals(List.of("sse:listed"), connection.getJsonArray("channels").getValuesAs(JsonString::getString));

            JsonObject record = awaitAudit(admin, "type=connect&user=lea");
            assertEquals("sse", record.getString("transport"));
            assertEquals(connection.getString("id"), record.getString("connection"));
        }
    }

    /** The newest audit record matching the query, once the trail has written it. */
    private JsonObject awaitAudit(String admin, String query) throws InterruptedException {
        long deadline = System.nanoTime() + SseClient.WAIT.toNanos();
        while (true) {
            JsonArray items = parse(api.get(admin, "api/audit?" + query).body()).getJsonArray("items");
            if (!items.isEmpty()) {
                return items.getJsonObject(0);
            }
            assertTrue(System.nanoTime() < deadline, "no audit record for " + query + " within " + SseClient.WAIT);
            Thread.sleep(50);
        }
    }

    @Test
    void resumesAfterTheLastEventIdHeaderOrQueryParameterAndSaysWhenItCannot() throws Exception {
        for (int i = 1; i <= 3; i++) {
            api.publishOk(publisher, "sse:resume", "output", "{\"line\":" + i + "}");
        }
        String token = reader("ben");
        try (SseClient byHeader = SseClient.open(events("sse:resume", null), Map.of("Authorization", "Bearer " + token, "Last-Event-ID", "1"))) {
            JsonObject subscribed = byHeader.awaitEvent("subscribed").json();
            assertTrue(subscribed.getBoolean("recovered"));
            assertEquals(2, subscribed.getInt("replayed"));
            assertEquals(List.of("2", "3"), byHeader.awaitAll(e -> "output".equals(e.event()), 2).stream().map(SseClient.Event::id).toList());
        }
        try (SseClient byQuery = SseClient.open(events("sse:resume", "lastEventId=0"), bearer(token))) {
            assertEquals(3, byQuery.awaitEvent("subscribed").json().getInt("replayed"));
            assertEquals(List.of("1", "2", "3"), byQuery.awaitAll(e -> "output".equals(e.event()), 3).stream().map(SseClient.Event::id).toList());
        }
        // A browser reconnects to the same URL: its header is newer than the URL's parameter.
        try (SseClient both = SseClient.open(events("sse:resume", "lastEventId=0"), Map.of("Authorization", "Bearer " + token, "Last-Event-ID", "2"))) {
            assertEquals(1, both.awaitEvent("subscribed").json().getInt("replayed"));
            assertEquals("3", both.awaitEvent("output").id());
        }
        try (SseClient beyond = SseClient.open(events("sse:resume", "lastEventId=99"), bearer(token))) {
            JsonObject subscribed = beyond.awaitEvent("subscribed").json();
            assertFalse(subscribed.getBoolean("recovered"));
            assertEquals(3, subscribed.getInt("seq"));
            assertEquals(0, subscribed.getInt("replayed"));
        }
    }

    @Test
    void takesTheTokenFromTheCookieOrTheQueryParameterWhenThereIsNoHeader() throws Exception {
        try (SseClient byCookie = SseClient.open(events("sse:auth", null), Map.of("Cookie", "other=1; herald_token=" + reader("cat")))) {
            assertEquals(200, byCookie.status());
            assertEquals("sse:auth", byCookie.awaitEvent("subscribed").json().getString("channel"));
        }
        try (SseClient byQuery = SseClient.open(events("sse:auth", "token=" + reader("cat")), Map.of())) {
            assertEquals(200, byQuery.status());
            assertEquals("sse:auth", byQuery.awaitEvent("subscribed").json().getString("channel"));
        }
        // The header comes first: a valid cookie does not rescue an invalid header token.
        try (SseClient headerFirst = SseClient.open(events("sse:auth", null),
                Map.of("Authorization", "Bearer not-a-token", "Cookie", "herald_token=" + reader("cat")))) {
            assertEquals(401, headerFirst.status());
        }
    }

    @Test
    void refusesWithAProblemAndNoStreamWhenTheRequestCannotBeServed() throws Exception {
        assertProblem(SseClient.open(events("sse:refused", null), Map.of()), 401, "unauthorized");
        assertProblem(SseClient.open(events("sse:refused", null), bearer(Jwts.user("dan").channels("sse:*").expiresIn(Duration.ofMinutes(-5)).sign())), 401, "unauthorized");
        assertProblem(SseClient.open(events("Bad:channel", null), bearer(reader("dan"))), 400, "invalid_channel");
        assertProblem(SseClient.open(events("sse:refused", "lastEventId=-1"), bearer(reader("dan"))), 400, "invalid_field");
        assertProblem(SseClient.open(events("sse:refused", null), Map.of("Authorization", "Bearer " + reader("dan"), "Last-Event-ID", "x")), 400, "invalid_field");
        assertProblem(SseClient.open(events("other:refused", null), bearer(reader("dan"))), 403, "forbidden");
    }

    private static void assertProblem(SseClient response, int status, String code) throws InterruptedException {
        try (response) {
            assertEquals(status, response.status());
            assertEquals("application/problem+json", response.header("Content-Type"));
            JsonObject problem = response.problem();
            assertEquals(code, problem.getString("code"));
            assertEquals(status, problem.getInt("status"));
            assertTrue(response.events().isEmpty());
            assertNull(response.retry());
        }
    }

    @Test
    void theSameUrlWithAcceptJsonIsStillTheHistory() {
        api.publishOk(publisher, "sse:history", "note_added", "{\"text\":\"kept\"}");

        HttpResponse<String> history = api.get(reader("eve"), "api/channels/sse:history/events?since=0");

        assertEquals(200, history.statusCode());
        assertTrue(history.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertEquals("kept", parse(history.body()).getJsonArray("events").getJsonObject(0).getJsonObject("data").getString("text"));
    }

    @Test
    void aQuietStreamGetsHeartbeatCommentsAndOutlivesTheWebSocketIdleTimeout() throws Exception {
        try (SseClient stream = SseClient.open(events("sse:quiet", null), bearer(reader("fay")))) {
            stream.awaitEvent("subscribed");

            // 5 comments at 1 s take longer than the 3 s idle timeout plus the 1 s heartbeat timeout.
            List<String> comments = stream.awaitComments(5);

            assertTrue(comments.stream().allMatch(": ping"::equals), comments.toString());
            assertFalse(stream.isEnded());
            assertTrue(stream.events().stream().noneMatch(e -> "close".equals(e.event())), stream.lines().toString());
        }
    }

    @Test
    void aConnectionOverTheUserLimitEndsTheOldestStreamWithCloseEvent4008() throws Exception {
        String token = reader("gus");
        try (SseClient oldest = SseClient.open(events("sse:limit", null), bearer(token));
             SseClient second = SseClient.open(events("sse:limit", null), bearer(token))) {
            oldest.awaitEvent("subscribed");
            second.awaitEvent("subscribed");
            try (WsClient newest = WsClient.connect(api.ws("/ws"), bearer(token))) {
                newest.awaitType("welcome");

                JsonObject close = oldest.awaitEvent("close").json();
                assertEquals(4008, close.getInt("code"));
                assertEquals("close", close.getString("type"));
                oldest.awaitEnd();
                assertFalse(second.isEnded());
            }
        }
    }

    @Test
    void anExpiredTokenEndsTheStreamWithCloseEvent4010() throws Exception {
        String shortLived = Jwts.user("hal").channels("sse:*").expiresIn(Duration.ofSeconds(2)).sign();
        try (SseClient stream = SseClient.open(events("sse:expiry", null), bearer(shortLived))) {
            stream.awaitEvent("subscribed");

            JsonObject close = stream.awaitEvent("close").json();

            assertEquals(4010, close.getInt("code"));
            assertTrue(close.getString("reason").startsWith("token expired"), close.toString());
            stream.awaitEnd();
        }
    }
}
