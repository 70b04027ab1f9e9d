package dev.herald.it.browser;

import com.microsoft.playwright.Page;
import dev.herald.it.Api;
import dev.herald.it.Deployments;
import dev.herald.it.Jwts;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * herald.js falls back to Herald's SSE endpoint ({@code GET /api/channels/{channel}/events} with
 * {@code Accept: text/event-stream}) when its WebSocket connects are refused, and keeps every event
 * exactly once while the server ends the stream at each token expiry (close 4010).
 */
@ExtendWith({ArquillianExtension.class, Browser.Shared.class})
class SseFallbackIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String RECORD = "() => JSON.stringify({ state: window.client && client.state,"
            + " transport: window.client && client.transport, client: record.client, subscribed: record.subscribed,"
            + " events: record.events.length, last: record.events.slice(-3) })";

    @Deployment(testable = false)
    static WebArchive deployment() {
        // Tokens expire exactly at exp: the 4 s tokens below end the stream several times.
        return Deployments.withTestPages(Deployments.herald(Map.of("herald.jwt.clock-skew", "0s")));
    }

    @ArquillianResource
    URL base;

    private Page page;

    @AfterEach
    void closePage() {
        if (page != null) {
            page.close();
        }
    }

    @Test
    void fallsBackToSseWhenWebSocketIsRefusedAndReceivesEveryEventOnceAcrossTokenExpiries(Browser browser) {
        String channel = "stream:sse";
        page = browser.newPage();
        page.exposeFunction("mintToken", args ->
                Jwts.user("sse-reader").channels("stream:*").publish("stream:*").expiresIn(Duration.ofSeconds(4)).sign());
        page.navigate(base + "test/client.html");
        Browser.await(page, "() => window.pageReady === true", WAIT, "() => document.body.innerText");
        page.evaluate("({ url, wsUrl, channel }) => start(url, { token: 'provider', wsUrl }, [{ name: channel }])",
                Map.of("url", base.toString(), "wsUrl", HeraldJsIT.refusedWebSocket(), "channel", channel));
        Browser.await(page, "() => client.transport === 'sse' && record.subscribed.length === 1", WAIT, RECORD);

        // Publish without pause until the server has ended the stream (token expired) at least twice.
        Api api = new Api(base);
        String publisher = Jwts.user("backend").publish("stream:*").sign();
        long published = 0;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            published = api.publishOk(publisher, channel, "tick", "{\"n\":" + (published + 1) + "}");
            if (published % 10 == 0 && ((Number) page.evaluate("() => record.subscribed.length")).intValue() >= 3) {
                break;
            }
        }
        // The client's own publish goes over HTTP and arrives on the stream like any other.
        long own = ((Number) page.evaluate("c => client.publish(c, 'note_added', { by: 'page' }).then((r) => r.seq)", channel)).longValue();
        assertEquals(published + 1, own);
        Browser.await(page, "() => record.events.length >= " + own, WAIT, RECORD);
        Browser.screenshot(page, "herald-client-sse-fallback");

        @SuppressWarnings("unchecked")
        List<Number> seqs = (List<Number>) page.evaluate("() => record.events.map((e) => e.seq)");
        assertEquals(LongStream.rangeClosed(1, own).boxed().toList(), seqs.stream().map(Number::longValue).toList(),
                "every event once, in order");
        assertEquals(1, page.evaluate("() => count('fallback')"));
        assertEquals("sse", page.evaluate("() => client.transport"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> subscriptions = (List<Map<String, Object>>) page.evaluate("() => record.subscribed");
        assertTrue(subscriptions.size() >= 3, "the stream was ended and resumed at least twice: " + subscriptions);
        for (Map<String, Object> resumed : subscriptions.subList(1, subscriptions.size())) {
            assertEquals(true, resumed.get("recovered"), "every resume (Last-Event-ID) is recovered: " + resumed);
            assertEquals("sse", resumed.get("transport"));
        }
        assertEquals("unsupported_transport", page.evaluate(
                "c => client.command(c, 'cancel', {}).then(() => 'accepted', (e) => e.code)", channel));
    }
}
