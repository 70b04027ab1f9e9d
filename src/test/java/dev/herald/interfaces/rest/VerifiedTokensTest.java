package dev.herald.interfaces.rest;

import dev.herald.application.security.InvalidTokenException;
import dev.herald.application.security.Principal;
import dev.herald.application.security.TokenVerifier;
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

class VerifiedTokensTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T12:00:00Z"));

    /** Counts verifications; tokens it knows map to their principal, others are refused. */
    private static final class CountingVerifier implements TokenVerifier {
        final Map<String, Principal> known = new HashMap<>();
        int calls;

        @Override
        public Principal verify(String token) throws InvalidTokenException {
            calls++;
            Principal p = known.get(token);
            if (p == null) {
                throw new InvalidTokenException("invalid token: bad signature");
            }
            return p;
        }
    }

    private static Principal principal(String subject, Instant expiresAt) {
        return new Principal(subject, Optional.empty(), Set.of(), List.of(), List.of(), expiresAt);
    }

    @Test
    void aTokenVerifiedMomentsAgoIsNotVerifiedAgain() throws Exception {
        CountingVerifier verifier = new CountingVerifier();
        Principal alice = principal("alice", clock.instant().plusSeconds(3600));
        verifier.known.put("token-a", alice);
        VerifiedTokens tokens = new VerifiedTokens(verifier, clock, Duration.ofSeconds(10), 100);

        assertSame(alice, tokens.verify("token-a"));
        clock.advance(Duration.ofSeconds(9));
        assertSame(alice, tokens.verify("token-a"));

        assertEquals(1, verifier.calls);
    }

    @Test
    void aCachedTokenIsVerifiedAgainOnceItsTimeToLiveHasPassed() throws Exception {
        CountingVerifier verifier = new CountingVerifier();
        verifier.known.put("token-a", principal("alice", clock.instant().plusSeconds(3600)));
        VerifiedTokens tokens = new VerifiedTokens(verifier, clock, Duration.ofSeconds(10), 100);

        tokens.verify("token-a");
        clock.advance(Duration.ofSeconds(10));
        tokens.verify("token-a");

        assertEquals(2, verifier.calls);
    }

    @Test
    void aTokenIsNeverTakenOnTrustPastItsExpiry() throws Exception {
        CountingVerifier verifier = new CountingVerifier();
        verifier.known.put("token-a", principal("alice", clock.instant().plusSeconds(3)));
        VerifiedTokens tokens = new VerifiedTokens(verifier, clock, Duration.ofSeconds(10), 100);

        tokens.verify("token-a");
        clock.advance(Duration.ofSeconds(3));
        verifier.known.remove("token-a"); // the verifier now refuses it, as nimbus would an expired token

        assertThrows(InvalidTokenException.class, () -> tokens.verify("token-a"));
        assertEquals(2, verifier.calls);
    }

    @Test
    void aRefusedTokenIsVerifiedAgainEveryTime() {
        CountingVerifier verifier = new CountingVerifier();
        VerifiedTokens tokens = new VerifiedTokens(verifier, clock, Duration.ofSeconds(10), 100);

        assertThrows(InvalidTokenException.class, () -> tokens.verify("forged"));
        assertThrows(InvalidTokenException.class, () -> tokens.verify("forged"));

        assertEquals(2, verifier.calls);
        assertEquals(0, tokens.size());
    }

    @Test
    void differentTokensOfOneSubjectAreCachedApart() throws Exception {
        CountingVerifier verifier = new CountingVerifier();
        Principal narrow = principal("alice", clock.instant().plusSeconds(3600));
        Principal wide = principal("alice", clock.instant().plusSeconds(7200));
        verifier.known.put("token-narrow", narrow);
        verifier.known.put("token-wide", wide);
        VerifiedTokens tokens = new VerifiedTokens(verifier, clock, Duration.ofSeconds(10), 100);

        assertSame(narrow, tokens.verify("token-narrow"));
        assertSame(wide, tokens.verify("token-wide"));
        assertSame(narrow, tokens.verify("token-narrow"));
    }

    @Test
    void theCacheNeverHoldsMoreThanItsCapacity() throws Exception {
        CountingVerifier verifier = new CountingVerifier();
        VerifiedTokens tokens = new VerifiedTokens(verifier, clock, Duration.ofSeconds(10), 50);
        for (int i = 0; i < 500; i++) {
            verifier.known.put("token-" + i, principal("user" + i, clock.instant().plusSeconds(3600)));
            tokens.verify("token-" + i);
            assertTrue(tokens.size() <= 50, "size " + tokens.size() + " after " + (i + 1) + " tokens");
        }
    }
}
