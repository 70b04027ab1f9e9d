package dev.herald.application.security;

import java.util.Optional;

/**
 * Whether Herald runs in development mode (no JWT key configured) and, if so, the issuer of the
 * tokens that {@code /api/dev/token} hands out.
 *
 * @param allowRemote whether clients off loopback may obtain development tokens
 */
public record DevelopmentMode(Optional<TokenIssuer> issuer, boolean allowRemote) {

    public boolean enabled() {
        return issuer.isPresent();
    }
}
