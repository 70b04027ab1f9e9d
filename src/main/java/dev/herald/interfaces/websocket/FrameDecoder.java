package dev.herald.interfaces.websocket;

import dev.herald.application.ErrorCode;
import dev.herald.application.HeraldException;
import dev.herald.application.JsonData;
import dev.herald.application.session.ClientFrame;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Sequence;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.io.StringReader;
import java.util.Optional;

/**
 * Decodes client frames (protocol v1). Every way a frame can be wrong becomes a
 * {@link Rejected} with its documented error code and, when the frame carried one, its {@code ref}.
 */
final class FrameDecoder {

    private FrameDecoder() {
    }

    /** A frame that could not be decoded. */
    static final class Rejected extends HeraldException {
        private final String ref;

        Rejected(ErrorCode code, String message, String ref) {
            super(code, message);
            this.ref = ref;
        }

        String ref() {
            return ref;
        }
    }

    static ClientFrame decode(String text) {
        JsonObject frame = parse(text);
        String ref = optionalString(frame, "ref", null);
        JsonValue typeValue = frame.get("type");
        if (!(typeValue instanceof JsonString type)) {
            throw new Rejected(ErrorCode.BAD_FRAME, "a frame needs a string field 'type'", ref);
        }
        return switch (type.getString()) {
            case "auth" -> new ClientFrame.Auth(requiredString(frame, "token", ref));
            case "subscribe" -> new ClientFrame.Subscribe(channel(frame, ref), since(frame, ref), ref);
            case "unsubscribe" -> new ClientFrame.Unsubscribe(channel(frame, ref), ref);
            case "ack" -> new ClientFrame.Ack(channel(frame, ref), sequence(frame, "seq", ref)
                    .orElseThrow(() -> missing("seq", ref)), ref);
            case "ping" -> new ClientFrame.Ping();
            case "pong" -> new ClientFrame.Pong();
            case "publish" -> new ClientFrame.Publish(channel(frame, ref), requiredString(frame, "event", ref),
                    JsonData.compact(frame.get("data")), optionalString(frame, "correlationId", ref), ref);
            case "command" -> new ClientFrame.Command(channel(frame, ref), requiredString(frame, "name", ref),
                    JsonData.compact(frame.get("data")), ref);
            case "presence" -> new ClientFrame.Presence(channel(frame, ref), ref);
            default -> throw new Rejected(ErrorCode.UNKNOWN_TYPE, "unknown frame type '" + clip(type.getString()) + "'", ref);
        };
    }

    /** The {@code ref} of a frame that failed to decode, when it can still be read. */
    static String refOf(HeraldException e) {
        return e instanceof Rejected r ? r.ref() : null;
    }

    private static JsonObject parse(String text) {
        JsonValue value;
        try {
            value = JsonData.parse(new StringReader(text), "the frame");
        } catch (HeraldException e) {
            throw new Rejected(e.code(), e.getMessage(), null);
        }
        if (!(value instanceof JsonObject object)) {
            throw new Rejected(ErrorCode.BAD_FRAME, "a frame must be a JSON object", null);
        }
        return object;
    }

    private static ChannelName channel(JsonObject frame, String ref) {
        String name = requiredString(frame, "channel", ref);
        return ChannelName.tryParse(name).orElseThrow(() -> new Rejected(ErrorCode.INVALID_CHANNEL,
                "invalid channel name: expected namespace:id, namespace [a-z][a-z0-9_-]{0,31}, id [A-Za-z0-9._@-]{1,128}", ref));
    }

    private static Optional<Sequence> since(JsonObject frame, String ref) {
        return sequence(frame, "since", ref);
    }

    private static Optional<Sequence> sequence(JsonObject frame, String field, String ref) {
        JsonValue value = frame.get(field);
        if (value == null || value == JsonValue.NULL) {
            return Optional.empty();
        }
        if (value instanceof JsonNumber number && number.isIntegral()) {
            try {
                long n = number.longValueExact();
                if (n >= 0) {
                    return Optional.of(Sequence.of(n));
                }
            } catch (ArithmeticException e) {
                // falls through to the error below
            }
        }
        throw new Rejected(ErrorCode.INVALID_FIELD, "'" + field + "' must be a non-negative integer", ref);
    }

    private static String requiredString(JsonObject frame, String field, String ref) {
        JsonValue value = frame.get(field);
        if (value == null || value == JsonValue.NULL) {
            throw missing(field, ref);
        }
        if (!(value instanceof JsonString string)) {
            throw new Rejected(ErrorCode.INVALID_FIELD, "'" + field + "' must be a string", ref);
        }
        return string.getString();
    }

    private static String optionalString(JsonObject frame, String field, String ref) {
        JsonValue value = frame.get(field);
        if (value == null || value == JsonValue.NULL) {
            return null;
        }
        if (!(value instanceof JsonString string)) {
            throw new Rejected(ErrorCode.INVALID_FIELD, "'" + field + "' must be a string", ref);
        }
        String s = string.getString();
        if (s.length() > 128) {
            throw new Rejected(ErrorCode.INVALID_FIELD, "'" + field + "' is longer than 128 characters", ref);
        }
        return s;
    }

    private static Rejected missing(String field, String ref) {
        return new Rejected(ErrorCode.MISSING_FIELD, "missing field '" + field + "'", ref);
    }

    private static String clip(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "...";
    }
}
