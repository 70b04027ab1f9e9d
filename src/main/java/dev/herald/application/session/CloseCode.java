package dev.herald.application.session;

/**
 * Every close code Herald sends, what it means, and what a client should do about it. The table in
 * docs/protocol.md is this enum.
 */
public enum CloseCode {
    NORMAL(1000, "normal closure", Reconnect.NO),
    FRAME_TOO_BIG(1009, "frame too big", Reconnect.AFTER_DELAY),
    INTERNAL_ERROR(1011, "internal error", Reconnect.AFTER_DELAY),
    SERVICE_RESTART(1012, "service restart", Reconnect.AFTER_DELAY),
    TRY_AGAIN_LATER(1013, "try again later", Reconnect.AFTER_DELAY),
    BAD_REQUEST(4000, "bad request", Reconnect.NO),
    UNAUTHORIZED(4001, "unauthorized", Reconnect.AFTER_REFRESH),
    FORBIDDEN(4003, "forbidden", Reconnect.NO),
    HEARTBEAT_TIMEOUT(4004, "heartbeat timeout", Reconnect.AFTER_DELAY),
    IDLE_TIMEOUT(4005, "idle timeout", Reconnect.WHEN_NEEDED),
    REPLACED(4008, "replaced by a newer connection", Reconnect.NO),
    SLOW_CONSUMER(4009, "slow consumer", Reconnect.AFTER_DELAY),
    TOKEN_EXPIRED(4010, "token expired", Reconnect.AFTER_REFRESH),
    ADMIN_DISCONNECT(4011, "disconnected by an administrator", Reconnect.NO),
    RATE_LIMITED(4029, "rate limited", Reconnect.AFTER_DELAY);

    /** The client's next move after the close. */
    public enum Reconnect {
        /** Do not reconnect automatically: the same request would be refused again. */
        NO,
        /** Reconnect with backoff and jitter, resuming each channel from its last sequence. */
        AFTER_DELAY,
        /** Obtain a new token first, then reconnect and resume. */
        AFTER_REFRESH,
        /** Reconnect when the application needs the connection again. */
        WHEN_NEEDED
    }

    private final int code;
    private final String reason;
    private final Reconnect reconnect;

    CloseCode(int code, String reason, Reconnect reconnect) {
        this.code = code;
        this.reason = reason;
        this.reconnect = reconnect;
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    public Reconnect reconnect() {
        return reconnect;
    }
}
