package dev.herald.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.herald.it.WsClient.eventOn;
import static dev.herald.testing.Frames.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Herald on a real PostgreSQL, configured the production way (system properties standing in for
 * HERALD_DB_URL / HERALD_DB_USER), and the database going away under it.
 */
class PostgresOutageIT {

    @TempDir
    Path workDir;

    @TempDir
    Path pgData;

    private RestartablePostgres postgres;
    private PayaraProcess herald;

    @BeforeEach
    void start() throws Exception {
        postgres = RestartablePostgres.start(pgData);
        herald = PayaraProcess.start(workDir, Map.of(
                "herald.jwt.secret", Jwts.SECRET,
                "herald.db.url", postgres.jdbcUrl(),
                "herald.db.user", "postgres",
                "herald.db.acquire-timeout", "1s"));
    }

    @AfterEach
    void stop() throws Exception {
        if (herald != null) {
            herald.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void publishesFailWith503WhileTheDatabaseIsDownAndNothingIsLostOrHalfWritten() throws Exception {
        Api api = new Api(herald.url());
        String token = Jwts.user("ops").roles("admin").sign();
        try (WsClient client = WsClient.connect(api.ws("/ws/diagnosis/7"), Map.of("Authorization", "Bearer " + token))) {
            client.awaitType("subscribed");
            for (int i = 1; i <= 3; i++) {
                assertEquals(i, api.publishOk(token, "diagnosis:7", "step", Integer.toString(i)));
            }
            client.awaitAll(eventOn("diagnosis:7"), 3);

            postgres.stop();
            HttpResponse<String> refused = api.publish(token, "diagnosis:7", "{\"type\":\"step\",\"data\":99}");
            assertEquals(503, refused.statusCode(), refused.body());
            assertEquals("store_unavailable", parse(refused.body()).getString("code"));
            assertTrue(refused.headers().firstValue("Retry-After").isPresent());
            client.send("{\"type\":\"publish\",\"channel\":\"diagnosis:7\",\"event\":\"step\",\"data\":98,\"ref\":\"w\"}");
            assertEquals("store_unavailable", client.await(o -> "w".equals(o.getString("ref", null))).getString("code"));

            postgres.restart();
            assertEquals(4, publishWhenBack(api, token), "no sequence was used by the refused publishes");
            List<JsonObject> events = client.awaitAll(eventOn("diagnosis:7"), 4);
            assertEquals(List.of(1L, 2L, 3L, 4L), events.stream().map(WsClient::seq).toList());
            assertEquals(List.of(1, 2, 3, 4), api.history(token, "diagnosis:7", 0).getJsonArray("events").stream()
                    .map(v -> v.asJsonObject().getInt("data")).toList(), "the refused payloads were never stored");
        }
    }

    /** The pool reconnects on demand; the first publishes after the restart may still see 503. */
    private static long publishWhenBack(Api api, String token) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            HttpResponse<String> response = api.publish(token, "diagnosis:7", "{\"type\":\"step\",\"data\":4}");
            if (response.statusCode() == 201) {
                return parse(response.body()).getJsonNumber("seq").longValue();
            }
            assertEquals(503, response.statusCode(), response.body());
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still 503 30 s after the database came back");
            }
            Thread.sleep(200); // polling a condition with a deadline, not waiting for luck
        }
    }

}
