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
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;

/**
 * The caller of an HTTP request, from its {@code Authorization: Bearer} header. The verifier
 * remembers tokens it accepted for a short while ({@code CachedTokenVerifier}), so a backend that
 * publishes with the same token does not pay for a signature check per request.
 */
@ApplicationScoped
public class BearerAuth {

    @Inject
    TokenVerifier verifier;

    @Inject
    AuditLog audit;

    Principal principal(HttpHeaders headers) {
        return principal(headers.getHeaderString(HttpHeaders.AUTHORIZATION));
    }

    /** The caller named by an {@code Authorization} header's value (null when absent). */
    Principal principal(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new HeraldException(ErrorCode.UNAUTHORIZED, "send Authorization: Bearer <token>");
        }
        try {
            return verifier.verify(header.substring(7).trim());
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
