package dev.herald.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.herald.it.WsClient.eventOn;
import static dev.herald.testing.Frames.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's defaults, for real: no settings at all (development mode, embedded database in
 * ./herald-data), events published, the server stopped with SIGTERM and started again.
 */
class EmbeddedRestartIT {

    @TempDir
    Path workDir;

    private static String devToken(Api api, String query) {
        var response = api.get(null, "api/dev/token?" + query);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElse(""));
        return parse(response.body()).getString("token");
    }

    @Test
    void eventsSurviveARestartOfTheEmbeddedDefault() throws Exception {
        try (PayaraProcess first = PayaraProcess.start(workDir, Map.of())) {
            Api api = new Api(first.url());
            String token = devToken(api, "sub=alice&channels=diagnosis:*&publish=diagnosis:*");
            for (int i = 1; i <= 3; i++) {
                assertEquals(i, api.publishOk(token, "diagnosis:42", "timeline_update", "{\"step\":" + i + "}"));
            }
            WsClient connected = WsClient.connect(api.ws("/ws?token=" + token));
            connected.awaitType("welcome");
            first.stop();
            assertEquals(1012, connected.awaitClose(), "clients are told the service restarts, so they reconnect");
            String log = first.log();
            assertTrue(log.contains("DEVELOPMENT MODE"), "development mode is announced in the log");
            assertFalse(log.contains(token), "tokens are never logged");
        }
        assertTrue(Files.isDirectory(workDir.resolve("herald-data")), "the embedded database lives in ./herald-data");

        try (PayaraProcess second = PayaraProcess.start(workDir, Map.of())) {
            Api api = new Api(second.url());
            String token = devToken(api, "sub=alice&channels=diagnosis:*&publish=diagnosis:*");
            JsonObject history = api.history(token, "diagnosis:42", 0);
            assertEquals(3, history.getInt("head"));
            assertEquals(List.of(1, 2, 3), history.getJsonArray("events").stream()
                    .map(v -> v.asJsonObject().getJsonObject("data").getInt("step")).toList());
            assertEquals(4, api.publishOk(token, "diagnosis:42", "timeline_update", "{\"step\":4}"));

            try (WsClient client = WsClient.connect(api.ws("/ws/diagnosis/42?since=0&token=" + token))) {
                JsonObject subscribed = client.awaitType("subscribed");
                assertTrue(subscribed.getBoolean("recovered"));
                assertEquals(List.of(1L, 2L, 3L, 4L), client.awaitAll(eventOn("diagnosis:42"), 4).stream().map(WsClient::seq).toList());
            }
            assertEquals(400, api.get(null, "api/dev/token").statusCode(), "sub is required");
            assertFalse(second.log().contains(token), "a token from the query string is never logged");
        }
    }

    @Test
    void withAConfiguredKeyThereIsNoDevelopmentTokenEndpoint() throws Exception {
        try (PayaraProcess server = PayaraProcess.start(workDir, Map.of("herald.jwt.secret", Jwts.SECRET))) {
            Api api = new Api(server.url());
            assertEquals(404, api.get(null, "api/dev/token?sub=alice").statusCode());
            assertFalse(server.log().contains("DEVELOPMENT MODE"));
        }
    }
}
