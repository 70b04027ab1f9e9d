package dev.herald.interfaces.rest;

import dev.herald.application.ErrorCode;
import dev.herald.application.HeraldException;
import dev.herald.application.security.InvalidTokenException;
import dev.herald.application.security.Principal;
import dev.herald.application.security.TokenVerifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;

/** The caller of an HTTP request, from its {@code Authorization: Bearer} header. */
@ApplicationScoped
public class BearerAuth {

    @Inject
    TokenVerifier verifier;

    Principal principal(HttpHeaders headers) {
        String header = headers.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new HeraldException(ErrorCode.UNAUTHORIZED, "send Authorization: Bearer <token>");
        }
        try {
            return verifier.verify(header.substring(7).trim());
        } catch (InvalidTokenException e) {
            throw new HeraldException(ErrorCode.UNAUTHORIZED, e.getMessage());
        }
    }
}
