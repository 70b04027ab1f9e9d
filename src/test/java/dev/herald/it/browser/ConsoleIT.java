package dev.herald.it.browser;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import dev.herald.it.Api;
import dev.herald.it.Deployments;
import dev.herald.it.Jwts;
import dev.herald.it.WsClient;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.herald.testing.Frames.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin console at {@code /admin/} in a real Chromium against Herald on Payara Micro: sign-in,
 * the live audit tail and its filters, disconnecting a user, the channels tab's test publish.
 * Screenshots of each tab go to {@code target/browser/}.
 */
@ExtendWith({ArquillianExtension.class, Browser.Shared.class})
class ConsoleIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger UNIQUE = new AtomicInteger();
    private static final String AUDIT_ROWS = "() => [...document.querySelectorAll('[data-testid=audit-rows] tr')]"
            + ".map((tr) => tr.innerText.replace(/\\s+/g, ' ')).slice(0, 8).join(' | ')";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald(Map.of("herald.audit.flush-interval", "100ms"));
    }

    @ArquillianResource
    URL base;

    private Browser browser;
    private Page page;
    private Api api;
    private final String admin = Jwts.user("root").roles("admin").sign();
    private final String publisher = Jwts.user("backend").publish("*").sign();

    @BeforeEach
    void useBrowser(Browser browser) {
        this.browser = browser;
        this.api = new Api(base);
    }

    @AfterEach
    void closePage() {
        if (page != null) {
            page.close();
        }
    }

    private static String unique(String prefix) {
        return prefix + "-" + UNIQUE.incrementAndGet() + "-" + System.nanoTime();
    }

    /** Opens the console and signs in with the given token. */
    private Page signIn(String token) {
        page = browser.newPage();
        Response response = page.navigate(base + "admin/");
        assertEquals(200, response.status());
        page.fill("[data-testid=token-input]", token);
        page.click("[data-testid=token-submit]");
        return page;
    }

    private Page signInAsAdmin() {
        signIn(admin);
        Browser.await(page, "() => document.querySelector('[data-testid=audit-live]').dataset.state === 'live'", WAIT,
                "() => document.body.innerText");
        return page;
    }

    @Test
    void theConsolePagesForbidFramingAndForeignScripts() {
        Response response = browser.newPage().navigate(base + "admin/");
        try {
            String policy = response.headers().get("content-security-policy");
            assertTrue(policy != null && policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"),
                    "Content-Security-Policy: " + policy);
            assertEquals("nosniff", response.headers().get("x-content-type-options"));
        } finally {
            response.frame().page().close();
        }
    }

    @Test
    void aTokenWithoutTheAdminRoleIsRefusedAtSignIn() {
        signIn(Jwts.user("mallory").sign());

        Browser.await(page, "() => document.querySelector('[data-testid=sign-in-error]').innerText.includes('no admin role')",
                WAIT, "() => document.body.innerText");
        assertTrue(page.isHidden("#console"), "the console stays hidden");
        assertTrue(page.isHidden("[data-testid=dev-sign-in]"), "no development sign-in when a key is configured");
    }

    @Test
    void theConsoleShowsLiveAuditEventsAndItsFiltersWork() {
        String prefix = "diagnosis:" + unique("console");
        String watched = prefix + "-a";
        String other = "diagnosis:" + unique("elsewhere");
        api.publishOk(publisher, watched, "step", "{\"n\":1}");
        signInAsAdmin();

        // Unfiltered, a publish shows up live.
        long live = api.publishOk(publisher, other, "step", "{}");
        Browser.await(page, "() => [...document.querySelectorAll('[data-testid=audit-rows] tr[data-type=publish]')]"
                + ".some((tr) => tr.innerText.includes('" + other + "') && tr.innerText.includes('\"seq\":" + live + "'))",
                WAIT, AUDIT_ROWS);

        // Filtered by type and channel prefix: the earlier matching record comes from the search,
        // later ones live, and nothing else.
        page.selectOption("[data-testid=filter-type]", "publish");
        page.fill("[data-testid=filter-channel]", prefix);
        page.click("[data-testid=filter-apply]");
        Browser.await(page, "() => document.querySelector('[data-testid=audit-live]').dataset.state === 'live'"
                + " && document.querySelectorAll('[data-testid=audit-rows] tr').length === 1", WAIT, AUDIT_ROWS);
        api.publishOk(publisher, other, "step", "{}");
        try (WsClient connecting = WsClient.connect(api.ws("/ws"), Map.of("Authorization", "Bearer " + publisher))) {
            connecting.awaitType("welcome");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        long second = api.publishOk(publisher, watched, "step", "{\"n\":2}");
        Browser.await(page, "() => document.querySelector('[data-testid=audit-rows] tr').innerText.includes('\"seq\":" + second + "')",
                WAIT, AUDIT_ROWS);
        Browser.screenshot(page, "console-audit");

        @SuppressWarnings("unchecked")
        List<Map<String, String>> rows = (List<Map<String, String>>) page.evaluate(
                "() => [...document.querySelectorAll('[data-testid=audit-rows] tr')].map((tr) => ({ type: tr.dataset.type, channel: tr.cells[4].innerText }))");
        assertEquals(List.of(Map.of("type", "publish", "channel", watched), Map.of("type", "publish", "channel", watched)), rows,
                "only the two publishes on the watched prefix, newest first");
    }

    @Test
    void disconnectingAUserFromTheConsoleClosesTheirSessions() throws Exception {
        String user = unique("zoe");
        String token = Jwts.user(user).sign();
        try (WsClient laptop = WsClient.connect(api.ws("/ws"), Map.of("Authorization", "Bearer " + token));
             WsClient phone = WsClient.connect(api.ws("/ws"), Map.of("Authorization", "Bearer " + token))) {
            laptop.awaitType("welcome");
            phone.awaitType("welcome");
            signInAsAdmin();

            page.click("[data-testid=tab-connections]");
            page.fill("[data-testid=connections-user]", user);
            page.click("[data-testid=connections-refresh]");
            Browser.await(page, "() => document.querySelectorAll('[data-testid=connection-rows] tr').length === 2", WAIT,
                    "() => document.querySelector('[data-testid=connections-panel]').innerText");
            Browser.screenshot(page, "console-connections");
            page.click("[data-testid=connection-rows] tr >> nth=0 >> [data-testid=disconnect-user]");

            assertEquals(4011, laptop.awaitClose());
            assertEquals(4011, phone.awaitClose());
            Browser.await(page, "() => document.querySelector('[data-testid=toast]').innerText.includes('Disconnected 2 connections of " + user + "')",
                    WAIT, "() => document.querySelector('[data-testid=toast]').innerText");
        }
        // The action is in the audit, by the signed-in admin.
        JsonObject record = awaitAudit("type=admin&user=root", user);
        assertEquals("disconnect_user", record.getJsonObject("detail").getString("action"));
    }

    @Test
    void theChannelsTabPublishesATestEventToSubscribers() throws Exception {
        String channel = "diagnosis:" + unique("console-publish");
        try (WsClient subscriber = WsClient.connect(api.ws("/ws"), Map.of("Authorization", "Bearer " + admin))) {
            subscriber.awaitType("welcome");
            subscriber.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
            subscriber.awaitType("subscribed");
            signInAsAdmin();

            page.click("[data-testid=tab-channels]");
            page.fill("[data-testid=publish-channel]", channel);
            page.fill("[data-testid=publish-type]", "console_test");
            page.fill("[data-testid=publish-data]", "{\"hello\":\"subscriber\"}");
            page.click("[data-testid=publish-submit]");

            JsonObject event = subscriber.awaitType("console_test");
            assertEquals(1, event.getJsonNumber("seq").longValue());
            assertEquals("subscriber", event.getJsonObject("data").getString("hello"));
            Browser.await(page, "() => document.querySelector('[data-testid=publish-result]').innerText === 'published " + channel + " #1'",
                    WAIT, "() => document.querySelector('[data-testid=publish-result]').innerText");
            Browser.await(page, "() => [...document.querySelectorAll('[data-testid=channel-rows] tr')]"
                    + ".some((tr) => tr.dataset.channel === '" + channel + "' && tr.cells[1].innerText === '1' && tr.cells[2].innerText === '1')",
                    WAIT, "() => document.querySelector('[data-testid=channels-panel]').innerText");
            Browser.screenshot(page, "console-channels");
        }
    }

    /** The newest audit record matching the query whose text mentions {@code mention}, once written. */
    private JsonObject awaitAudit(String query, String mention) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            for (JsonObject item : parse(api.get(admin, "api/audit?" + query).body()).getJsonArray("items").getValuesAs(JsonObject.class)) {
                if (item.toString().contains(mention)) {
                    return item;
                }
            }
            assertTrue(System.nanoTime() < deadline, "no audit record for " + query + " mentioning " + mention + " within " + WAIT);
            Thread.sleep(50);
        }
    }
}
