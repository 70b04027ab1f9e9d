package dev.herald.application.security;

import dev.herald.application.config.HeraldConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OriginPolicyTest {

    private static OriginPolicy policy(boolean trustForwarded, String... allowed) {
        return new OriginPolicy(new HeraldConfig.Origins(List.of(allowed), trustForwarded));
    }

    private static OriginPolicy.Request direct(String origin, String host) {
        return new OriginPolicy.Request(origin, "http", host, null, null);
    }

    @Test
    void requestWithoutOriginIsAllowedBecauseItIsNotFromABrowserPage() {
        assertTrue(policy(false).allows(direct(null, "herald:8080")));
    }

    @Test
    void sameOriginIsAllowedByDefault() {
        assertTrue(policy(false).allows(direct("http://herald:8080", "herald:8080")));
        assertTrue(policy(false).allows(direct("HTTP://Herald:8080", "herald:8080")), "scheme and host compare case-insensitively");
        assertTrue(policy(false).allows(direct("http://herald", "herald:80")), "the default port may be left out");
        assertTrue(policy(false).allows(new OriginPolicy.Request("https://herald", "https", "herald:443", null, null)));
    }

    @Test
    void anotherOriginIsRefusedByDefault() {
        OriginPolicy policy = policy(false);
        assertFalse(policy.allows(direct("http://evil.example", "herald:8080")));
        assertFalse(policy.allows(direct("http://herald:8081", "herald:8080")), "another port is another origin");
        assertFalse(policy.allows(new OriginPolicy.Request("https://herald:8080", "http", "herald:8080", null, null)),
                "another scheme is another origin");
        assertFalse(policy.allows(direct("http://herald.evil.example:8080", "herald:8080")));
    }

    @Test
    void nullAndMalformedOriginsAreRefused() {
        OriginPolicy policy = policy(false);
        assertFalse(policy.allows(direct("null", "herald:8080")));
        assertFalse(policy.allows(direct("", "herald:8080")));
        assertFalse(policy.allows(direct("http://herald:8080/path", "herald:8080")));
        assertFalse(policy.allows(direct("http://user@herald:8080", "herald:8080")));
        assertFalse(policy.allows(direct("http://herald:8080", null)), "no Host: nothing to be the same as");
    }

    @Test
    void allowListedOriginIsAllowedAndOthersStillRefused() {
        OriginPolicy policy = policy(false, "https://app.example.com", "http://localhost:3000");
        assertTrue(policy.allows(direct("https://app.example.com", "herald:8080")));
        assertTrue(policy.allows(direct("https://APP.example.com:443", "herald:8080")));
        assertTrue(policy.allows(direct("http://localhost:3000", "herald:8080")));
        assertFalse(policy.allows(direct("http://app.example.com", "herald:8080")));
        assertFalse(policy.allows(direct("https://evil.example", "herald:8080")));
        assertTrue(policy.allows(direct("http://herald:8080", "herald:8080")), "the own origin stays allowed");
    }

    @Test
    void wildcardAllowsEveryOriginOnlyWhenConfigured() {
        assertTrue(policy(false, "*").allows(direct("https://anything.example", "herald:8080")));
        assertTrue(policy(false, "*").allows(direct("null", "herald:8080")));
    }

    @Test
    void forwardedHeadersAreIgnoredUnlessTrusted() {
        // given: a proxy at https://events.example.com forwards to herald:8080
        OriginPolicy.Request proxied = new OriginPolicy.Request("https://events.example.com", "http", "herald:8080",
                "https", "events.example.com");

        // then
        assertFalse(policy(false).allows(proxied), "a client can set X-Forwarded-* itself");
        assertTrue(policy(true).allows(proxied));
        assertFalse(policy(true).allows(new OriginPolicy.Request("https://evil.example", "http", "herald:8080",
                "https", "events.example.com")));
    }

    @Test
    void firstForwardedValueCountsWhenProxiesChain() {
        OriginPolicy.Request chained = new OriginPolicy.Request("https://events.example.com", "http", "herald:8080",
                "https, http", "events.example.com, internal-lb:8080");
        assertTrue(policy(true).allows(chained));
    }

    @Test
    void normalizeGivesTheBrowserForm() {
        assertEquals(Optional.of("https://app.example.com"), OriginPolicy.normalize("https://App.Example.com:443"));
        assertEquals(Optional.of("http://[::1]:8080"), OriginPolicy.normalize("http://[::1]:8080"));
        assertEquals(Optional.empty(), OriginPolicy.normalize("app.example.com"));
        assertEquals(Optional.empty(), OriginPolicy.normalize("https://app.example.com/"));
    }

    @Test
    void refusalTellsWhatToConfigureAndCutsLongOrigins() {
        assertTrue(OriginPolicy.refusal("https://evil.example").contains("herald.allowed-origins"));
        assertTrue(OriginPolicy.refusal("x".repeat(5000)).length() < 400);
    }
}
