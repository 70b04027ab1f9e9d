package dev.herald.interfaces.rest;

import dev.herald.application.ErrorCode;
import dev.herald.application.HeraldException;
import dev.herald.application.audit.AuditEvent;
import dev.herald.application.audit.AuditLog;
import dev.herald.application.audit.AuditOutcome;
import dev.herald.application.audit.AuditType;
import dev.herald.application.security.InvalidTokenException;
import dev.herald.application.security.Principal;
import dev.herald.application.security.TokenVerifier;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;

import java.time.Clock;
import java.time.Duration;

/**
 * The caller of an HTTP request, from its {@code Authorization: Bearer} header. A token verified
 * in the last {@value #CACHE_SECONDS} seconds is not verified again ({@link VerifiedTokens}).
 */
@ApplicationScoped
public class BearerAuth {

    /** How long a verified token is taken on trust (never past its {@code exp}). */
    static final int CACHE_SECONDS = 10;
    /** Verified tokens kept at most: one per publishing backend is the common case. */
    static final int CACHE_CAPACITY = 10_000;

    @Inject
    TokenVerifier verifier;

    @Inject
    AuditLog audit;

    @Inject
    Clock clock;

    private VerifiedTokens tokens;

    @PostConstruct
    void start() {
        tokens = new VerifiedTokens(verifier, clock, Duration.ofSeconds(CACHE_SECONDS), CACHE_CAPACITY);
    }

    Principal principal(HttpHeaders headers) {
        return principal(headers.getHeaderString(HttpHeaders.AUTHORIZATION));
    }

    /** The caller named by an {@code Authorization} header's value (null when absent). */
    Principal principal(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new HeraldException(ErrorCode.UNAUTHORIZED, "send Authorization: Bearer <token>");
        }
        try {
            return tokens.verify(header.substring(7).trim());
        } catch (InvalidTokenException e) {
            audit.record(AuditEvent.of(AuditType.AUTH_FAILURE, AuditOutcome.DENIED).transport("http").with("reason", e.getMessage()));
            throw new HeraldException(ErrorCode.UNAUTHORIZED, e.getMessage());
        }
    }

    /** The caller, who must hold the {@code admin} role: else 401 without a valid token, 403 with one. */
    Principal admin(HttpHeaders headers) {
        Principal principal = principal(headers);
        if (!principal.isAdmin()) {
            throw new HeraldException(ErrorCode.FORBIDDEN, "the admin API needs a token whose roles include admin");
        }
        return principal;
    }
}
