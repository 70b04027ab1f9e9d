package dev.herald.interfaces.websocket;

import java.util.Optional;
import java.util.function.Function;

/**
 * Where a WebSocket handshake carries its token (docs/protocol.md, section 3.1): the
 * {@code Authorization: Bearer} header, else the {@code token} query parameter, else
 * {@code access_token}. Read the same way before the upgrade (from the servlet request) and after
 * it (from the JSR-356 session).
 */
final class HandshakeToken {

    private HandshakeToken() {
    }

    /**
     * @param authorization the {@code Authorization} header, or null
     * @param parameter     a query parameter by name, empty when absent or blank
     */
    static Optional<String> find(String authorization, Function<String, Optional<String>> parameter) {
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(authorization.substring(7).trim());
        }
        return parameter.apply("token").or(() -> parameter.apply("access_token"));
    }
}
