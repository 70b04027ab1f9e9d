package dev.herald.application.security;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers, for a short while, which tokens another {@link TokenVerifier} accepted, so the same
 * token is not verified again and again: a WebSocket handshake's token is checked before the
 * upgrade (to answer 401) and again when the connection opens, and a client that reconnects (a
 * reconnect storm above all) brings the token it had a moment ago.
 *
 * <p>Only accepted tokens are remembered, keyed by the SHA-256 of the token (the token itself is
 * not kept), each until the earlier of {@code maxAge} after it was verified and its {@code exp}
 * plus the clock skew the verifier tolerates; a refused token is verified every time. The cache
 * holds at most {@code maxEntries}: when full, expired entries are dropped, and if that frees
 * nothing the whole cache is, which costs only verifications. A key withdrawn from a JWKS
 * therefore stops accepting a token it signed at most {@code maxAge} later.
 */
public final class CachedTokenVerifier implements TokenVerifier {

    private final TokenVerifier verifier;
    private final Clock clock;
    private final int maxEntries;
    private final long maxAgeMillis;
    private final Duration clockSkew;
    private final ConcurrentHashMap<Digest, Verified> verified = new ConcurrentHashMap<>();
    /** One digest per thread: looking the algorithm up costs more than hashing a token. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    });

    private record Digest(long a, long b, long c, long d) {
    }

    private record Verified(Principal principal, long untilMillis) {
    }

    /**
     * @param clockSkew the tolerance {@code verifier} applies to {@code exp}; a remembered token is
     *                  accepted no longer than the verifier itself would accept it
     */
    public CachedTokenVerifier(TokenVerifier verifier, Clock clock, int maxEntries, Duration maxAge, Duration clockSkew) {
        if (maxEntries < 1 || maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxEntries and maxAge must be positive");
        }
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxEntries = maxEntries;
        this.maxAgeMillis = maxAge.toMillis();
        this.clockSkew = Objects.requireNonNull(clockSkew, "clockSkew");
    }

    @Override
    public Principal verify(String token) throws InvalidTokenException {
        if (token == null || token.isBlank()) {
            return verifier.verify(token);
        }
        Digest key = digest(token);
        long now = clock.millis();
        Verified hit = verified.get(key);
        if (hit != null) {
            if (now < hit.untilMillis()) {
                return hit.principal();
            }
            verified.remove(key, hit);
        }
        Principal principal = verifier.verify(token);
        long until = Math.min(now + maxAgeMillis, principal.expiresAt().plus(clockSkew).toEpochMilli());
        if (now < until) {
            makeRoom(now);
            verified.put(key, new Verified(principal, until));
        }
        return principal;
    }

    /** Tokens remembered now; for tests and diagnostics. */
    int size() {
        return verified.size();
    }

    private void makeRoom(long now) {
        if (verified.size() < maxEntries) {
            return;
        }
        verified.values().removeIf(v -> v.untilMillis() <= now);
        if (verified.size() >= maxEntries) {
            verified.clear();
        }
    }

    private static Digest digest(String token) {
        ByteBuffer hash = ByteBuffer.wrap(SHA_256.get().digest(token.getBytes(StandardCharsets.UTF_8)));
        return new Digest(hash.getLong(), hash.getLong(), hash.getLong(), hash.getLong());
    }

    /** When a remembered principal stops being accepted without verifying its token again; for tests. */
    Instant rememberedUntil(String token) {
        Verified v = verified.get(digest(token));
        return v == null ? null : Instant.ofEpochMilli(v.untilMillis());
    }
}
