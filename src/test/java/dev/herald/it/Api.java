package dev.herald.it;

import jakarta.json.JsonObject;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static dev.herald.testing.Frames.parse;

/** Herald's HTTP API, called like any client would. */
public final class Api {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final URI base;

    public Api(URL base) {
        this.base = URI.create(base.toString().endsWith("/") ? base.toString() : base + "/");
    }

    public URI ws(String path) {
        return URI.create("ws://" + base.getHost() + ":" + base.getPort() + path);
    }

    public HttpResponse<String> publish(String token, String channel, String body) {
        return publish(token, channel, body, "application/json");
    }

    public HttpResponse<String> publish(String token, String channel, String body, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("api/channels/" + channel + "/events"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request.build());
    }

    /** {@code POST /api/channels/{channel}/events} with a chunked body: no Content-Length. */
    public HttpResponse<String> publishChunked(String token, String channel, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return send(HttpRequest.newBuilder(base.resolve("api/channels/" + channel + "/events"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)))
                .build());
    }

    /** {@code POST /api/events} with a JSON body. */
    public HttpResponse<String> publishBatch(String token, String body) {
        return post(token, "api/events", body, Map.of());
    }

    /** {@code POST /api/channels/{channel}/events} with an {@code Idempotency-Key} header. */
    public HttpResponse<String> publishOnce(String token, String channel, String key, String body) {
        return post(token, "api/channels/" + channel + "/events", body, Map.of("Idempotency-Key", key));
    }

    /** {@code POST} of a JSON body to {@code path} (relative to the base URL), with more headers. */
    public HttpResponse<String> post(String token, String path, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request.build());
    }

    /** Publishes and returns the assigned sequence, failing on anything but 201. */
    public long publishOk(String token, String channel, String type, String data) {
        HttpResponse<String> response = publish(token, channel, "{\"type\":\"" + type + "\",\"data\":" + data + "}");
        if (response.statusCode() != 201) {
            throw new AssertionError("publish answered " + response.statusCode() + ": " + response.body());
        }
        return parse(response.body()).getJsonNumber("seq").longValue();
    }

    public JsonObject history(String token, String channel, long since) {
        HttpResponse<String> response = get(token, "api/channels/" + channel + "/events?since=" + since + "&limit=1000");
        if (response.statusCode() != 200) {
            throw new AssertionError("history answered " + response.statusCode() + ": " + response.body());
        }
        return parse(response.body());
    }

    public HttpResponse<String> get(String token, String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request.build());
    }

    public HttpResponse<String> delete(String token, String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).DELETE()
                .header("Authorization", "Bearer " + token).build());
    }

    /**
     * Searches the audit trail ({@code GET /api/audit?query}) until the records found satisfy
     * {@code done}, failing after {@link WsClient#WAIT}: records reach the store in batches.
     */
    public List<JsonObject> awaitAudit(String adminToken, String query, Predicate<List<JsonObject>> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + WsClient.WAIT.toNanos();
        List<JsonObject> items = List.of();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = get(adminToken, "api/audit?" + query);
            if (response.statusCode() != 200) {
                throw new AssertionError("audit search answered " + response.statusCode() + ": " + response.body());
            }
            items = parse(response.body()).getJsonArray("items").getValuesAs(JsonObject.class);
            if (done.test(items)) {
                return items;
            }
            Thread.sleep(50); // poll interval, bounded by the deadline
        }
        throw new AssertionError("the audit search " + query + " never got there: " + items);
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("request to " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
