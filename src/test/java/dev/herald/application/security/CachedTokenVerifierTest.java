package dev.herald.application.security;

import dev.herald.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CachedTokenVerifierTest {

    private static final Duration SKEW = Duration.ofSeconds(30);
    private static final Instant START = Instant.parse("2026-11-22T12:00:00Z");

    /** Accepts tokens named in {@code valid} (with their expiry) and counts every call. */
    private static final class CountingVerifier implements TokenVerifier {
        final Map<String, Instant> valid = new HashMap<>();
        int calls;

        @Override
        public Principal verify(String token) throws InvalidTokenException {
            calls++;
            Instant exp = valid.get(token);
            if (exp == null) {
                throw new InvalidTokenException("invalid token: bad signature");
            }
            return new Principal("user-" + token, Optional.empty(), Set.of(), List.of(), List.of(), exp);
        }
    }

    private final MutableClock clock = new MutableClock(START);
    private final CountingVerifier inner = new CountingVerifier();

    private CachedTokenVerifier cache(int entries) {
        return new CachedTokenVerifier(inner, clock, entries, Duration.ofMinutes(1), SKEW);
    }

    @Test
    void aTokenVerifiedOnceIsAcceptedAgainWithoutVerifyingIt() throws Exception {
        inner.valid.put("a", START.plus(Duration.ofHours(1)));
        CachedTokenVerifier verifier = cache(10);

        Principal first = verifier.verify("a");
        Principal second = verifier.verify("a");

        assertSame(first, second);
        assertEquals(1, inner.calls);
    }

    @Test
    void aRefusedTokenIsVerifiedEveryTime() {
        CachedTokenVerifier verifier = cache(10);

        assertThrows(InvalidTokenException.class, () -> verifier.verify("forged"));
        assertThrows(InvalidTokenException.class, () -> verifier.verify("forged"));

        assertEquals(2, inner.calls);
        assertEquals(0, verifier.size());
    }

    @Test
    void aRememberedTokenIsVerifiedAgainAfterTheMaximumAge() throws Exception {
        inner.valid.put("a", START.plus(Duration.ofHours(1)));
        CachedTokenVerifier verifier = cache(10);
        verifier.verify("a");

        clock.set(START.plus(Duration.ofMinutes(1)));
        verifier.verify("a");

        assertEquals(2, inner.calls);
    }

    @Test
    void aRememberedTokenIsNeverAcceptedPastItsExpiryAndSkew() throws Exception {
        Instant exp = START.plus(Duration.ofSeconds(10));
        inner.valid.put("a", exp);
        CachedTokenVerifier verifier = cache(10);
        verifier.verify("a");
        assertEquals(exp.plus(SKEW), verifier.rememberedUntil("a"));

        clock.set(exp.plus(SKEW));
        inner.valid.remove("a"); // the real verifier would now refuse it as expired
        assertThrows(InvalidTokenException.class, () -> verifier.verify("a"));
        assertEquals(2, inner.calls);
    }

    @Test
    void aFullCacheDropsExpiredEntriesFirstThenEverything() throws Exception {
        inner.valid.put("short", START.plus(Duration.ofSeconds(1)));
        inner.valid.put("b", START.plus(Duration.ofHours(1)));
        inner.valid.put("c", START.plus(Duration.ofHours(1)));
        inner.valid.put("d", START.plus(Duration.ofHours(1)));
        CachedTokenVerifier verifier = cache(2);
        verifier.verify("short");
        verifier.verify("b");

        clock.set(START.plus(SKEW).plus(Duration.ofSeconds(2))); // "short" has run out
        verifier.verify("c");
        assertEquals(2, verifier.size(), "the expired entry made room");

        verifier.verify("d");
        assertEquals(1, verifier.size(), "nothing had expired: the cache started over");
        assertTrue(verifier.size() <= 2);
    }

    @Test
    void aMissingTokenGoesToTheVerifier() {
        CachedTokenVerifier verifier = cache(10);
        assertThrows(InvalidTokenException.class, () -> verifier.verify(" "));
        assertEquals(1, inner.calls);
    }
}
