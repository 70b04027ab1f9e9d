package dev.herald.application;

/**
 * The stable error codes of protocol v1, shared by WebSocket {@code error} frames and HTTP
 * {@code application/problem+json} answers. Clients may switch on {@link #code()}; it never changes.
 */
public enum ErrorCode {
    BAD_JSON("bad_json", 400, "the frame or body is not valid JSON"),
    BAD_FRAME("bad_frame", 400, "the frame is not a JSON object with a string 'type'"),
    UNKNOWN_TYPE("unknown_type", 400, "unknown frame type"),
    MISSING_FIELD("missing_field", 400, "a required field is missing"),
    INVALID_FIELD("invalid_field", 400, "a field has the wrong type or an invalid value"),
    INVALID_CHANNEL("invalid_channel", 400, "invalid channel name"),
    INVALID_EVENT_TYPE("invalid_event_type", 400, "invalid event type"),
    RESERVED_EVENT_TYPE("reserved_event_type", 400, "the event type is a reserved frame type"),
    INVALID_ACK("invalid_ack", 400, "the acknowledged sequence is beyond this subscription's position"),
    TOO_MANY_SUBSCRIPTIONS("too_many_subscriptions", 409, "the connection has herald.limits.subscriptions-per-connection subscriptions; unsubscribe first"),
    ALREADY_SUBSCRIBED("already_subscribed", 409, "already subscribed to this channel"),
    NOT_SUBSCRIBED("not_subscribed", 409, "not subscribed to this channel"),
    UNAUTHORIZED("unauthorized", 401, "a valid bearer token is required"),
    FORBIDDEN("forbidden", 403, "the token does not grant this channel"),
    ORIGIN_NOT_ALLOWED("origin_not_allowed", 403, "this origin may not open connections to the gateway"),
    NOT_FOUND("not_found", 404, "not found"),
    PAYLOAD_TOO_LARGE("payload_too_large", 413, "the body is larger than herald.limits.max-frame-size"),
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415, "the body must be application/json"),
    RATE_LIMITED("rate_limited", 429, "too many new connections from this address; retry after the Retry-After delay"),
    COMMAND_FAILED("command_failed", 500, "the application failed to handle the command"),
    STORE_UNAVAILABLE("store_unavailable", 503, "the event store is unavailable; nothing was stored, retry later"),
    CHANNEL_FULL("channel_full", 503, "the channel has herald.limits.connections-per-channel subscribers on this instance; retry later"),
    INSTANCE_FULL("instance_full", 503, "this instance has herald.limits.connections-per-instance connections; retry later"),
    PRESENCE_UNAVAILABLE("presence_unavailable", 503, "presence is unavailable; retry later"),
    INTERNAL_ERROR("internal_error", 500, "internal error"),
    DRAINING("draining", 503, "this instance is shutting down; connect again to reach another instance");

    private final String code;
    private final int httpStatus;
    private final String title;

    ErrorCode(String code, int httpStatus, String title) {
        this.code = code;
        this.httpStatus = httpStatus;
        this.title = title;
    }

    public String code() {
        return code;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String title() {
        return title;
    }
}
