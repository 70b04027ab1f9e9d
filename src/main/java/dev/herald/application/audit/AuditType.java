package dev.herald.application.audit;

import java.util.Locale;
import java.util.Optional;

/** What an audit record is about; {@link #wire()} is the name in the API and in the store. */
public enum AuditType {
    /** A client connection was authenticated. */
    CONNECT,
    /** An authenticated connection ended; detail: close code and reason. */
    DISCONNECT,
    /**
     * A token was missing, invalid or expired, or the first frame was not {@code auth}; or a WebSocket
     * handshake or SSE request came from an origin that is not allowed. Never the token.
     */
    AUTH_FAILURE,
    /** A subscription the token or the application's authorizer did not grant. */
    SUBSCRIBE_DENIED,
    /** An event was stored; detail: seq and event type. */
    PUBLISH,
    /** A limit closed or refused something: per-user eviction (4008), slow consumer (4009), frame size, rate. */
    LIMIT,
    /** An administrator's action through the admin API; detail: the action and its target. */
    ADMIN;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<AuditType> parse(String wire) {
        for (AuditType t : values()) {
            if (t.wire().equals(wire)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
