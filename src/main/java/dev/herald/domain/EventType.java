package dev.herald.domain;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The application's name for an event ({@code agent_message}, {@code threat.detected}, ...).
 * Letters, digits and {@code _ . : -}, starting with a letter, at most 64 characters. The protocol's
 * control frame names are reserved so that a client can always tell an event from a control frame.
 */
public record EventType(String value) {

    private static final Pattern PATTERN = Pattern.compile("[A-Za-z][A-Za-z0-9_.:-]{0,63}");

    /** Frame types of protocol v1 and the ones kept for its announced extensions. */
    public static final Set<String> RESERVED = Set.of(
            "auth", "welcome", "subscribe", "subscribed", "unsubscribe", "unsubscribed", "ack",
            "ping", "pong", "publish", "published", "command", "accepted", "error", "refreshed",
            "presence", "batch", "filter", "event", "close");

    public EventType {
        if (value == null || !PATTERN.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    "invalid event type: must match [A-Za-z][A-Za-z0-9_.:-]{0,63}");
        }
        if (RESERVED.contains(value)) {
            throw new IllegalArgumentException("reserved event type: '" + value + "' is a protocol frame type");
        }
    }

    public static boolean isReserved(String value) {
        return RESERVED.contains(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
