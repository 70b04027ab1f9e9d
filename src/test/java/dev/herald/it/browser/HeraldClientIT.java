package dev.herald.it.browser;

import com.microsoft.playwright.Page;
import dev.herald.it.Api;
import dev.herald.it.Deployments;
import dev.herald.it.Jwts;
import dev.herald.testing.Frames;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * herald.js in a real Chromium against a real Herald on Payara Micro: the page comes from Herald's
 * own origin and imports {@code /herald.js} as any application would.
 */
@ExtendWith({ArquillianExtension.class, Browser.Shared.class})
class HeraldClientIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String RECORD = "() => JSON.stringify({ state: client && client.state, client: record.client,"
            + " subscribed: record.subscribed, events: record.events.length, last: record.events.slice(-3) })";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.withTestPages(Deployments.herald(Map.of(
                // A client that sends nothing but pongs is closed by the server after 5 s (4005):
                // the resume test's real server-side drop.
                "herald.idle-timeout", "5s",
                // Tokens expire exactly at exp: the refresh test's tokens live 4 s.
                "herald.jwt.clock-skew", "0s",
                // A client silent for 1 s is pinged and must answer within 3 s (else 4004).
                "herald.heartbeat.interval", "1s",
                "herald.heartbeat.timeout", "3s")));
    }

    @ArquillianResource
    URL base;

    private Browser browser;
    private Page page;
    private final List<String> sockets = new ArrayList<>();
    private final AtomicInteger authFramesSent = new AtomicInteger();
    private final AtomicInteger refreshedFramesReceived = new AtomicInteger();
    private final AtomicInteger pingsReceived = new AtomicInteger();
    private final AtomicInteger pongsSent = new AtomicInteger();
    private final List<Long> ackedSeqs = new CopyOnWriteArrayList<>();


    @BeforeEach
    void useBrowser(Browser browser) {
        this.browser = browser;
    }

    @AfterEach
    void closePage() {
        if (page != null) {
            page.close();
        }
    }

    /** Opens the test page from Herald's origin; the page's token provider calls {@code tokens}. */
    private Page openPage(Supplier<String> tokens) {
        page = browser.newPage();
        page.onWebSocket(ws -> {
            synchronized (sockets) {
                sockets.add(ws.url());
            }
            ws.onFrameSent(f -> {
                JsonObject frame = Frames.parse(f.text());
                switch (frame.getString("type")) {
                    case "auth" -> authFramesSent.incrementAndGet();
                    case "pong" -> pongsSent.incrementAndGet();
                    case "ack" -> ackedSeqs.add(frame.getJsonNumber("seq").longValue());
                    default -> { }
                }
            });
            ws.onFrameReceived(f -> {
                JsonObject frame = Frames.parse(f.text());
                switch (frame.getString("type")) {
                    case "refreshed" -> refreshedFramesReceived.incrementAndGet();
                    case "ping" -> pingsReceived.incrementAndGet();
                    default -> { }
                }
            });
        });
        page.exposeFunction("mintToken", args -> tokens.get());
        page.navigate(base + "test/client.html");
        Browser.await(page, "() => window.pageReady === true", WAIT, "() => document.body.innerText");
        return page;
    }

    private int socketCount() {
        synchronized (sockets) {
            return sockets.size();
        }
    }

    @Test
    void servesTheClientAsAJavaScriptModule() {
        HttpResponse<String> response = new Api(base).get(null, "herald.js");
        assertEquals(200, response.statusCode());
        String type = response.headers().firstValue("Content-Type").orElse("");
        assertTrue(type.contains("javascript"), "a module script needs a JavaScript MIME type, got " + type);
        assertTrue(response.body().contains("export class Herald"), "the client itself");
    }

    @Test
    void resumesWithoutGapsOrDuplicatesWhenTheServerDropsTheConnectionMidStream() {
        String channel = "stream:resume";
        String publisher = Jwts.user("backend").publish("stream:*").sign();
        openPage(() -> Jwts.user("reader").channels("stream:*").sign());
        Api api = new Api(base);
        // Without acks the client sends only pongs, so the server closes it as idle (4005) every 5 s.
        page.evaluate("([url, channel]) => start(url, { token: 'provider', autoAck: false }, [{ name: channel }])",
                List.of(base.toString(), channel));
        Browser.await(page, "() => record.subscribed.length === 1", WAIT, RECORD);

        // Publish without pause while the server drops the browser twice and it comes back twice.
        long published = 0;
        long deadline = System.nanoTime() + WAIT.toNanos();
        long publishedAtLastReconnect = -1;
        while (System.nanoTime() < deadline) {
            published = api.publishOk(publisher, channel, "tick", "{\"n\":" + (published + 1) + "}");
            if (published % 10 == 0) {
                int reconnected = ((Number) page.evaluate("() => record.subscribed.length")).intValue() - 1;
                if (reconnected >= 2 && publishedAtLastReconnect < 0) {
                    publishedAtLastReconnect = published;
                }
                if (publishedAtLastReconnect >= 0 && published >= publishedAtLastReconnect + 20) {
                    break; // and a little more live after the last resume
                }
            }
        }
        assertTrue(publishedAtLastReconnect >= 0, "the client was not dropped and resumed twice within " + WAIT);
        long total = published;
        Browser.await(page, "() => record.events.length >= " + total, WAIT, RECORD);
        Browser.screenshot(page, "herald-client-resume");

        @SuppressWarnings("unchecked")
        List<Number> seqs = (List<Number>) page.evaluate("() => record.events.map((e) => e.seq)");
        assertEquals(LongStream.rangeClosed(1, total).boxed().toList(), seqs.stream().map(Number::longValue).toList(), "every event once, in order");
        @SuppressWarnings("unchecked")
        List<Number> codes = (List<Number>) page.evaluate(
                "() => record.client.filter((e) => e.name === 'disconnected').map((e) => e.code)");
        assertTrue(codes.size() >= 2 && codes.stream().allMatch(c -> c.intValue() == 4005),
                "dropped by the server's idle timeout: " + codes);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> subscriptions = (List<Map<String, Object>>) page.evaluate("() => record.subscribed");
        for (Map<String, Object> resumed : subscriptions.subList(1, subscriptions.size())) {
            assertEquals(true, resumed.get("recovered"), "every resume is recovered: " + resumed);
            assertEquals(((Number) resumed.get("seq")).longValue() - ((Number) resumed.get("requested")).longValue(),
                    ((Number) resumed.get("replayed")).longValue(), "resumed from the last event handled: " + resumed);
        }
        assertTrue(subscriptions.stream().anyMatch(s -> ((Number) s.get("replayed")).longValue() > 0),
                "events published while the client was away came back by replay: " + subscriptions);
        assertEquals(0, page.evaluate("() => record.resets.length"));
    }

    @Test
    void refreshesTheTokenOverTheOpenConnectionBeforeItExpires() {
        String channel = "stream:refresh";
        AtomicInteger minted = new AtomicInteger();
        openPage(() -> {
            minted.incrementAndGet();
            return Jwts.user("refresher").channels("stream:*").expiresIn(Duration.ofSeconds(4)).sign();
        });
        page.evaluate("([url, channel]) => start(url, { token: 'provider' }, [{ name: channel }])",
                List.of(base.toString(), channel));

        // Three refreshes take the connection well past the first token's expiry (4 s, no skew).
        Browser.await(page, "() => count('refreshed') >= 3", WAIT, RECORD);
        String publisher = Jwts.user("backend").publish("stream:*").sign();
        long seq = new Api(base).publishOk(publisher, channel, "after_refresh", "{}");
        Browser.await(page, "() => record.events.some((e) => e.seq === " + seq + ")", WAIT, RECORD);
        Browser.screenshot(page, "herald-client-token-refresh");

        assertEquals(1, socketCount(), "one WebSocket all along: " + sockets);
        assertEquals(0, page.evaluate("() => count('disconnected')"), "never closed (no 4010)");
        assertTrue(authFramesSent.get() >= 4, "the first auth frame and one per refresh: " + authFramesSent);
        assertTrue(refreshedFramesReceived.get() >= 3, "refreshed frames: " + refreshedFramesReceived);
        assertTrue(minted.get() >= 4, "the token provider was asked for every new token: " + minted);
    }

    @Test
    void answersTheServersPingsSoAQuietConnectionIsNotClosedForMissingHeartbeats() {
        openPage(() -> Jwts.user("quiet").channels("stream:*").sign());
        page.evaluate("([url, channel]) => start(url, { token: 'provider' }, [{ name: channel }])",
                List.of(base.toString(), "stream:quiet"));

        page.waitForCondition(() -> pongsSent.get() >= 3, new Page.WaitForConditionOptions().setTimeout(WAIT.toMillis()));

        assertTrue(pingsReceived.get() >= 3, "the server pinged the quiet client: " + pingsReceived);
        @SuppressWarnings("unchecked")
        List<Number> codes = (List<Number>) page.evaluate(
                "() => record.client.filter((e) => e.name === 'disconnected').map((e) => e.code)");
        assertTrue(codes.stream().noneMatch(c -> c.intValue() == 4004), "never closed for a missing pong: " + codes);
    }

    @Test
    void acknowledgesHandledEventsSoTheUsersNextClientResumesAfterThem() {
        String channel = "stream:acks";
        String publisher = Jwts.user("backend").publish("stream:*").sign();
        Api api = new Api(base);
        openPage(() -> Jwts.user("acker").channels("stream:*").sign());
        page.evaluate("([url, channel]) => start(url, { token: 'provider', ackDelay: 200 }, [{ name: channel }])",
                List.of(base.toString(), channel));
        Browser.await(page, "() => record.subscribed.length === 1", WAIT, RECORD);
        for (int i = 1; i <= 10; i++) {
            api.publishOk(publisher, channel, "tick", "{\"n\":" + i + "}");
        }
        page.waitForCondition(() -> ackedSeqs.contains(10L), new Page.WaitForConditionOptions().setTimeout(WAIT.toMillis()));
        assertEquals(ackedSeqs.stream().sorted().distinct().toList(), ackedSeqs, "cumulative acks only move forward");

        // An ack has no answer: a request answered on the same connection shows the server has
        // handled the ack before it.
        page.evaluate("c => client.presence(c)", channel);
        // The user's next client (another tab, a reload) subscribes without a position.
        page.evaluate("() => { client.close(); record.events = []; record.subscribed = []; }");
        for (int i = 11; i <= 13; i++) {
            api.publishOk(publisher, channel, "tick", "{\"n\":" + i + "}");
        }
        page.evaluate("([url, channel]) => start(url, { token: 'provider' }, [{ name: channel }])",
                List.of(base.toString(), channel));
        Browser.await(page, "() => record.events.length >= 3", WAIT, RECORD);

        assertEquals(List.of(11, 12, 13), page.evaluate("() => record.events.map((e) => e.seq)"));
        assertEquals(Map.of("recovered", true, "replayed", 3), page.evaluate(
                "() => ({ recovered: record.subscribed[0].recovered, replayed: record.subscribed[0].replayed })"));
    }

    @Test
    void callsOnResetAndFollowsTheHeadWhenTheServerCannotResumeFromTheSavedPosition() {
        String channel = "stream:reset";
        String publisher = Jwts.user("backend").publish("stream:*").sign();
        Api api = new Api(base);
        api.publishOk(publisher, channel, "tick", "{}");
        api.publishOk(publisher, channel, "tick", "{}");
        openPage(() -> Jwts.user("resetter").channels("stream:*").sign());
        // A position the channel never reached (say, saved before the database was replaced).
        page.evaluate("([url, channel]) => start(url, { token: 'provider' }, [{ name: channel, since: 50 }])",
                List.of(base.toString(), channel));
        Browser.await(page, "() => record.resets.length === 1", WAIT, RECORD);

        assertEquals(Map.of("seq", 2, "recovered", false, "requested", 50), page.evaluate(
                "() => { const r = record.resets[0]; return { seq: r.seq, recovered: r.recovered, requested: r.requested }; }"));
        long next = api.publishOk(publisher, channel, "tick", "{}");
        Browser.await(page, "() => record.events.length === 1", WAIT, RECORD);
        assertEquals(List.of((int) next), page.evaluate("() => record.events.map((e) => e.seq)"),
                "events after the head arrive although they are below the old position");
    }

    @Test
    void asksTheProviderForANewTokenAndReconnectsAfterA4001() {
        AtomicInteger minted = new AtomicInteger();
        openPage(() -> minted.incrementAndGet() == 1
                ? Jwts.user("bob").channels("stream:*").hs256("not-the-secret-herald-was-given-0123456789")
                : Jwts.user("bob").channels("stream:*").sign());
        page.evaluate("([url, channel]) => start(url, { token: 'provider' }, [{ name: channel }])",
                List.of(base.toString(), "stream:retoken"));

        Browser.await(page, "() => record.subscribed.length === 1", WAIT, RECORD);

        assertEquals(Map.of("code", 4001, "willReconnect", true), page.evaluate(
                "() => { const d = record.client.find((e) => e.name === 'disconnected'); return { code: d.code, willReconnect: d.willReconnect }; }"));
        assertEquals(2, minted.get(), "a new token for the reconnect");
        assertEquals(2, socketCount());
    }

    @Test
    void stopsAfterA4001WhenTheTokenIsAFixedString() {
        openPage(() -> {
            throw new AssertionError("no provider: the token is a string");
        });
        String badToken = Jwts.user("bob").channels("stream:*").hs256("not-the-secret-herald-was-given-0123456789");
        page.evaluate("([url, token]) => start(url, { token }, [{ name: 'stream:fixed' }])", List.of(base.toString(), badToken));

        Browser.await(page, "() => count('stopped') === 1", WAIT, RECORD);

        assertEquals(4001, page.evaluate("() => record.client.find((e) => e.name === 'stopped').code"));
        assertEquals(0, page.evaluate("() => count('reconnecting')"), "a string cannot be refreshed: no retry with it");
        assertEquals(1, socketCount());
    }

    @Test
    void stopsForGoodWhenTheServerClosesWith4003() {
        openPage(() -> Jwts.user("outsider").channels("stream:*").sign());
        String forbidden = new Api(base).ws("/ws/secret/1").toString(); // not granted: close 4003
        page.evaluate("([url, wsUrl]) => start(url, { token: 'provider', wsUrl }, [])", List.of(base.toString(), forbidden));

        Browser.await(page, "() => count('stopped') === 1", WAIT, RECORD);
        Browser.screenshot(page, "herald-client-4003");

        assertEquals(Map.of("name", "disconnected", "code", 4003, "willReconnect", false),
                page.evaluate("() => { const d = record.client.find((e) => e.name === 'disconnected');"
                        + " return { name: d.name, code: d.code, willReconnect: d.willReconnect }; }"));
        // The decision not to reconnect is taken and reported at the close, before any timer.
        assertEquals(0, page.evaluate("() => count('reconnecting')"));
        assertEquals("stopped", page.evaluate("() => client.state"));
        assertEquals("stopped", page.evaluate("() => { try { client.subscribe('stream:x', () => {}); return 'subscribed'; }"
                + " catch (e) { return e.code; } }"));
        assertEquals(1, socketCount());
    }
}
