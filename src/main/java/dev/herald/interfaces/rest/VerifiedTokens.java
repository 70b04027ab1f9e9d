package dev.herald.interfaces.rest;

import dev.herald.application.security.InvalidTokenException;
import dev.herald.application.security.Principal;
import dev.herald.application.security.TokenVerifier;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer tokens verified in the last few seconds, so that a backend publishing with one token does
 * not pay for its signature check and claim parsing on every request. Keyed by the token's SHA-256
 * (the tokens themselves are never kept); an entry lives at most {@code ttl} and never past the
 * token's {@code exp}; at most {@code capacity} entries (when full, expired ones are dropped, then
 * everything). Refused tokens are never cached: each is verified, and audited, again.
 *
 * <p>The cost: a token's verification key removed from a JWKS still lets the token through for up
 * to {@code ttl} (docs/security.md).
 */
final class VerifiedTokens {

    private final TokenVerifier verifier;
    private final Clock clock;
    private final Duration ttl;
    private final int capacity;
    private final ConcurrentHashMap<Digest, Verified> verified = new ConcurrentHashMap<>();
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    });

    VerifiedTokens(TokenVerifier verifier, Clock clock, Duration ttl, int capacity) {
        this.verifier = verifier;
        this.clock = clock;
        this.ttl = ttl;
        this.capacity = capacity;
    }

    /** The token's principal, from the cache while it is fresh, else from the verifier. */
    Principal verify(String token) throws InvalidTokenException {
        Digest key = Digest.of(token);
        Instant now = clock.instant();
        Verified hit = verified.get(key);
        if (hit != null && now.isBefore(hit.until())) {
            return hit.principal();
        }
        Principal principal = verifier.verify(token);
        Instant until = now.plus(ttl);
        if (principal.expiresAt().isBefore(until)) {
            until = principal.expiresAt();
        }
        if (now.isBefore(until)) {
            makeRoom(now);
            verified.put(key, new Verified(principal, until));
        }
        return principal;
    }

    int size() {
        return verified.size();
    }

    private void makeRoom(Instant now) {
        if (verified.size() < capacity) {
            return;
        }
        verified.values().removeIf(v -> !now.isBefore(v.until()));
        if (verified.size() >= capacity) {
            verified.clear();
        }
    }

    private record Verified(Principal principal, Instant until) {
    }

    /** A token's SHA-256, compared by content. */
    private static final class Digest {
        private final byte[] bytes;
        private final int hash;

        private Digest(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        static Digest of(String token) {
            return new Digest(SHA_256.get().digest(token.getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Digest d && MessageDigest.isEqual(bytes, d.bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
