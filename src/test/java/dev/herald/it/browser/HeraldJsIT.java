package dev.herald.it.browser;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.Route;
import dev.herald.it.Deployments;
import dev.herald.it.Jwts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * herald.js's pieces in a real Chromium, without a Herald server: the page and the module are
 * served by Playwright from the sources, and the SSE tests answer with a scripted event stream,
 * which lets them send what a correct server never does (events seen twice).
 */
@ExtendWith(Browser.Shared.class)
class HeraldJsIT {

    private static final String ORIGIN = "http://herald.test";
    private static final Path CLIENT = Paths.get("src/main/webapp/herald.js");

    private Page page;


    @BeforeEach
    void open(Browser browser) {
        page = browser.newPage();
        page.route(ORIGIN + "/herald.js", route -> serve(route, CLIENT, "text/javascript"));
        page.route(ORIGIN + "/test/**", route -> serve(route,
                Deployments.TEST_PAGES.resolve(route.request().url().substring(ORIGIN.length() + 1)), "text/html"));
        page.navigate(ORIGIN + "/test/client.html");
        Browser.await(page, "() => window.pageReady === true", Duration.ofSeconds(30), "() => document.body.innerText");
    }

    @AfterEach
    void close() {
        page.close();
    }

    @Test
    void backoffStaysBetweenHalfASecondAndTwentySecondsAndSpreadsOverTheWholeWindow() {
        @SuppressWarnings("unchecked")
        List<List<Number>> ranges = (List<List<Number>>) page.evaluate("""
                () => [0, 1, 3, 5, 8, 40, 2000].map((attempt) => {
                  const samples = Array.from({ length: 2000 }, () => herald.backoffDelay(attempt));
                  return [attempt, Math.min(...samples), Math.max(...samples)];
                })""");
        for (List<Number> range : ranges) {
            int attempt = range.get(0).intValue();
            double min = range.get(1).doubleValue();
            double max = range.get(2).doubleValue();
            double cap = Math.min(20_000, 500 * Math.pow(2, attempt + 1));
            assertTrue(min >= 500 && max <= cap, "attempt " + attempt + ": " + min + ".." + max + " outside 500.." + cap);
            // Full jitter: the samples cover the window, they do not cluster at one end.
            assertTrue(min < 500 + (cap - 500) * 0.05 && max > cap - (cap - 500) * 0.05,
                    "attempt " + attempt + ": " + min + ".." + max + " does not spread over 500.." + cap);
        }
    }

    @Test
    void readsTheExpiryOfARealTokenAndNothingFromGarbage() {
        Instant exp = Instant.now().plus(Duration.ofMinutes(10));
        String token = Jwts.user("alice@example.com").channels("diagnosis:*").expiresIn(Duration.ofMinutes(10)).sign();
        Number read = (Number) page.evaluate("t => herald.tokenExpiry(t)", token);
        assertTrue(Math.abs(read.longValue() - exp.getEpochSecond()) <= 1, "exp read as " + read + ", expected " + exp);
        assertNull(page.evaluate("() => herald.tokenExpiry('not-a-jwt')"));
        assertNull(page.evaluate("() => herald.tokenExpiry('a.@@@.c')"));
        assertNull(page.evaluate("() => herald.tokenExpiry('a.' + btoa('{\"sub\":\"x\"}') + '.c')"));
    }

    @Test
    void refreshesTenPercentBeforeExpiryButAtLeastThirtySecondsAndNeverPastHalfTheRemainingLife() {
        @SuppressWarnings("unchecked")
        List<Number> delays = (List<Number>) page.evaluate("""
                () => [[3600, 0], [600, 0], [120, 0], [8, 0]].map(([life, now]) => herald.refreshDelay(life, now * 1000))""");
        assertEquals(3_240_000, delays.get(0).longValue(), "1 h token: 6 min before");
        assertEquals(540_000, delays.get(1).longValue(), "10 min token: 1 min (10%) before");
        assertEquals(90_000, delays.get(2).longValue(), "2 min token: 30 s before");
        assertEquals(4_000, delays.get(3).longValue(), "8 s token: halfway");
    }

    @Test
    void parsesAnEventStreamWhateverTheChunksAndLineEnds() {
        String stream = "\uFEFFretry: 3000\n\nevent: subscribed\ndata: {\"seq\":5}\n\n: ping\n\n"
                + "id: 4\r\nevent: timeline_update\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\n"
                + "id: 5\revent: output\rdata:{\"b\":2}\r\r: a CR at the end of a chunk may start a CRLF\n";
        @SuppressWarnings("unchecked")
        List<String> whole = (List<String>) page.evaluate("""
                ([text, size]) => {
                  const out = [];
                  const parser = new herald.SseParser((m) => out.push(`${m.event}|${m.id}|${m.data}`), (r) => out.push(`retry|${r}`));
                  for (let i = 0; i < text.length; i += size) parser.push(text.slice(i, i + size));
                  return out;
                }""", List.of(stream, stream.length()));
        List<String> expected = List.of("retry|3000", "subscribed|null|{\"seq\":5}",
                "timeline_update|4|{\"a\":\n1}", "output|5|{\"b\":2}");
        assertEquals(expected, whole);
        for (int size = 1; size <= 7; size++) {
            assertEquals(expected, page.evaluate("""
                    ([text, size]) => {
                      const out = [];
                      const parser = new herald.SseParser((m) => out.push(`${m.event}|${m.id}|${m.data}`), (r) => out.push(`retry|${r}`));
                      for (let i = 0; i < text.length; i += size) parser.push(text.slice(i, i + size));
                      return out;
                    }""", List.of(stream, size)), "chunks of " + size);
        }
    }

    @Test
    void fallsBackToSseWhenWebSocketIsRefusedAndResumesFromTheLastEventWithoutDuplicates() {
        List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
        page.route(ORIGIN + "/api/channels/**", route -> {
            Map<String, String> headers = route.request().headers();
            if (route.request().method().equals("POST")) {
                requests.add(Map.of("method", "POST", "body", route.request().postData()));
                route.fulfill(new Route.FulfillOptions().setStatus(201).setContentType("application/json")
                        .setBody("{\"channel\":\"diagnosis:42\",\"seq\":9,\"ts\":\"2026-01-01T00:00:00Z\"}"));
                return;
            }
            requests.add(Map.of("method", "GET", "url", route.request().url(),
                    "accept", headers.getOrDefault("accept", ""),
                    "authorization", headers.getOrDefault("authorization", ""),
                    "last-event-id", headers.getOrDefault("last-event-id", "")));
            String body = requests.stream().filter(r -> r.get("method").equals("GET")).count() == 1
                    ? "retry: 3000\n\n"
                      + subscribed(0, false, 0) + event(1) + event(2) + event(3) // then the stream just ends
                    : "retry: 3000\n\n"
                      + subscribed(5, true, 2) + event(2) + event(3) + event(4) + event(5) // 2 and 3 again
                      + "event: close\ndata: {\"type\":\"close\",\"code\":4003,\"reason\":\"forbidden\"}\n\n";
            route.fulfill(new Route.FulfillOptions().setStatus(200).setContentType("text/event-stream").setBody(body));
        });
        String token = Jwts.user("alice").channels("diagnosis:*").sign();
        page.evaluate("({ url, token, wsUrl }) => start(url, { token, wsUrl, minDelay: 20, maxDelay: 100 },"
                + " [{ name: 'diagnosis:42' }])", Map.of("url", ORIGIN, "token", token, "wsUrl", refusedWebSocket()));

        Browser.await(page, "() => count('stopped') === 1", Duration.ofSeconds(30), "() => JSON.stringify(record)");
        Browser.screenshot(page, "herald-js-sse-fallback");

        assertEquals(List.of(1, 2, 3, 4, 5), page.evaluate("() => record.events.map((e) => e.seq)"));
        assertEquals(1, page.evaluate("() => count('fallback')"));
        assertEquals(2, page.evaluate("() => count('disconnected')"), "two refused WebSocket connects, then SSE");
        assertEquals(4003, page.evaluate("() => record.client.find((e) => e.name === 'stopped').code"));
        assertEquals(List.of(false, true), page.evaluate("() => record.subscribed.map((s) => s.recovered)"));
        assertEquals(0, page.evaluate("() => record.resets.length"), "a first subscription has no state to reset");

        List<Map<String, String>> gets = requests.stream().filter(r -> r.get("method").equals("GET")).toList();
        assertEquals(2, gets.size(), "one stream, resumed once, then stopped by 4003: " + gets);
        for (Map<String, String> get : gets) {
            assertEquals(ORIGIN + "/api/channels/diagnosis%3A42/events", get.get("url"));
            assertEquals("text/event-stream", get.get("accept"));
            assertEquals("Bearer " + token, get.get("authorization"));
        }
        assertEquals("", gets.get(0).get("last-event-id"), "the first stream has no position to resume from");
        assertEquals("3", gets.get(1).get("last-event-id"), "the second resumes after the last event handled");
    }

    @Test
    void goesBackToWebSocketWhenHeraldDoesNotAnswerOverHttpEither() {
        page.route(ORIGIN + "/api/channels/**", Route::abort); // no HTTP answer: Herald is down, not just its WebSocket
        String token = Jwts.user("alice").channels("diagnosis:*").sign();
        page.evaluate("({ url, token, wsUrl }) => start(url, { token, wsUrl, minDelay: 20, maxDelay: 100 },"
                + " [{ name: 'diagnosis:42' }])", Map.of("url", ORIGIN, "token", token, "wsUrl", refusedWebSocket()));

        Browser.await(page, "() => record.client.filter((e) => e.name === 'connecting' && e.transport === 'sse').length >= 2",
                Duration.ofSeconds(30), "() => JSON.stringify(record)");
        page.evaluate("() => client.close()");

        @SuppressWarnings("unchecked")
        List<String> transports = (List<String>) page.evaluate(
                "() => record.client.filter((e) => e.name === 'connecting').map((e) => e.transport)");
        assertEquals(List.of("websocket", "websocket", "sse", "websocket", "websocket", "sse"), transports.subList(0, 6));
        @SuppressWarnings("unchecked")
        List<Number> attempts = (List<Number>) page.evaluate(
                "() => record.client.filter((e) => e.name === 'reconnecting').map((e) => e.attempt)");
        assertEquals(LongStream.rangeClosed(1, attempts.size()).boxed().toList(),
                attempts.stream().map(Number::longValue).toList(), "the backoff keeps growing across transports");
    }

    @Test
    void publishesOverHttpAndRefusesCommandsClearlyOnceOnSse() {
        List<String> posts = new CopyOnWriteArrayList<>();
        page.route(ORIGIN + "/api/channels/**", route -> {
            if (route.request().method().equals("POST")) {
                posts.add(route.request().headers().get("authorization") + " " + route.request().postData());
                route.fulfill(new Route.FulfillOptions().setStatus(201).setContentType("application/json")
                        .setBody("{\"channel\":\"diagnosis:42\",\"seq\":9,\"ts\":\"2026-01-01T00:00:00Z\"}"));
            } else {
                route.fulfill(new Route.FulfillOptions().setStatus(200).setContentType("text/event-stream")
                        .setBody("retry: 3000\n\n" + subscribed(8, false, 0) + ": ping\n\n"));
            }
        });
        String token = Jwts.user("alice").channels("diagnosis:*").publish("diagnosis:*").sign();
        page.evaluate("({ url, token, wsUrl }) => start(url, { token, wsUrl, minDelay: 20, maxDelay: 100 },"
                + " [{ name: 'diagnosis:42' }])", Map.of("url", ORIGIN, "token", token, "wsUrl", refusedWebSocket()));
        Browser.await(page, "() => count('fallback') === 1 && client.state === 'connected'", Duration.ofSeconds(30),
                "() => JSON.stringify(record)");

        assertEquals(Map.of("channel", "diagnosis:42", "seq", 9, "ts", "2026-01-01T00:00:00Z"),
                page.evaluate("() => client.publish('diagnosis:42', 'note_added', { text: 'hi' }, { correlationId: 'c-1' })"));
        assertEquals(List.of("Bearer " + token + " {\"type\":\"note_added\",\"data\":{\"text\":\"hi\"},\"correlationId\":\"c-1\"}"), posts);
        assertEquals("unsupported_transport", page.evaluate(
                "() => client.command('diagnosis:42', 'cancel', {}).then(() => 'accepted', (e) => e.code)"));
        page.evaluate("() => client.close()");
    }

    /** A WebSocket URL on a port nothing listens on: connecting is refused at once. */
    static String refusedWebSocket() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "ws://127.0.0.1:" + socket.getLocalPort() + "/ws";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String subscribed(long seq, boolean recovered, long replayed) {
        return "event: subscribed\ndata: {\"type\":\"subscribed\",\"channel\":\"diagnosis:42\",\"seq\":" + seq
                + ",\"recovered\":" + recovered + ",\"replayed\":" + replayed + "}\n\n";
    }

    private static String event(long seq) {
        return "id: " + seq + "\nevent: timeline_update\ndata: {\"type\":\"timeline_update\",\"channel\":\"diagnosis:42\",\"seq\":"
                + seq + ",\"ts\":\"2026-01-01T00:00:00Z\",\"data\":{\"step\":" + seq + "}}\n\n";
    }

    private static void serve(Route route, Path file, String contentType) {
        try {
            route.fulfill(new Route.FulfillOptions().setStatus(200).setContentType(contentType)
                    .setBodyBytes(Files.readAllBytes(file)));
        } catch (IOException e) {
            route.fulfill(new Route.FulfillOptions().setStatus(404).setBody(e.toString()));
        }
    }
}
