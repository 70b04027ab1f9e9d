package dev.herald.domain;

import java.util.Objects;

/**
 * An event before the store has given it a sequence number and a timestamp.
 *
 * @param data          the payload as compact JSON text, already validated
 * @param correlationId optional caller-chosen id carried unchanged to every receiver; may be null
 */
public record EventDraft(EventType type, String data, String correlationId) {

    public static final int MAX_CORRELATION_ID_LENGTH = 128;

    public EventDraft {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        if (correlationId != null && (correlationId.isEmpty() || correlationId.length() > MAX_CORRELATION_ID_LENGTH)) {
            throw new IllegalArgumentException("correlationId must be 1 to 128 characters");
        }
    }
}
