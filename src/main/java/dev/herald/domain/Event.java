package dev.herald.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * A stored event: immutable, and the unit every layer passes around on the hot path.
 *
 * @param data          the payload as compact JSON text
 * @param correlationId may be null
 */
public record Event(ChannelName channel, Sequence seq, EventType type, Instant ts, String data, String correlationId) {

    public Event {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(seq, "seq");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(ts, "ts");
        Objects.requireNonNull(data, "data");
    }
}
