package dev.herald.interfaces.rest;

import dev.herald.application.ErrorCode;
import dev.herald.application.HeraldException;
import dev.herald.application.JsonData;
import dev.herald.application.PublishService;
import dev.herald.domain.EventDraft;
import dev.herald.domain.IdempotencyKey;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.core.MediaType;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;

/**
 * Reading publish requests over HTTP, one event ({@code POST /api/channels/{channel}/events}) or a
 * batch ({@code POST /api/events}): the body's size, media type and JSON, and each event's fields,
 * every violation as its documented error code.
 */
final class EventBodies {

    private EventBodies() {
    }

    /** Refuses a {@code Content-Type} (null when absent) that is not compatible with {@code application/json}. */
    static void requireJson(String contentType) {
        MediaType type;
        try {
            type = contentType == null ? null : MediaType.valueOf(contentType);
        } catch (IllegalArgumentException e) {
            type = null;
        }
        if (type == null || !type.isCompatible(MediaType.APPLICATION_JSON_TYPE)) {
            throw new HeraldException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send Content-Type: application/json");
        }
    }

    /**
     * The body as a JSON object, read no further than {@code limit} bytes. A body that declares its
     * {@code length} (Content-Length; -1 when absent, as with chunked requests) within the limit is
     * read into one array of that size: this is every publish's body, and reading it through
     * growing 8 KiB buffers and a stream decoder allocated about 16 KiB per request, two thirds of
     * what a publish allocated (JFR, `bench/run publish`). A larger body is still read up to the
     * limit before it is refused: a client that is still sending would not see an early answer.
     */
    static JsonObject object(InputStream body, long length, int limit) throws IOException {
        byte[] bytes = body.readNBytes(length >= 0 && length <= limit ? (int) length : limit + 1);
        if (bytes.length > limit) {
            throw new HeraldException(ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than " + limit + " bytes");
        }
        // Malformed UTF-8 becomes U+FFFD, as the stream decoder it replaces did.
        JsonValue value = JsonData.parse(new StringReader(new String(bytes, StandardCharsets.UTF_8)), "the body");
        if (value instanceof JsonObject object) {
            return object;
        }
        throw new HeraldException(ErrorCode.BAD_JSON, "the body must be a JSON object");
    }


    /**
     * The event an object describes: {@code type}, {@code data}, {@code correlationId}.
     *
     * @param where prefixed to every error's detail, e.g. {@code "events[3]: "}
     */
    static EventDraft draft(JsonObject event, String where) {
        JsonValue type = nullToAbsent(event.get("type"));
        if (type != null && !(type instanceof JsonString)) {
            throw new HeraldException(ErrorCode.INVALID_FIELD, where + "'type' must be a string");
        }
        JsonValue correlation = nullToAbsent(event.get("correlationId"));
        if (correlation != null && !(correlation instanceof JsonString)) {
            throw new HeraldException(ErrorCode.INVALID_FIELD, where + "'correlationId' must be a string");
        }
        try {
            return PublishService.draft(type == null ? null : ((JsonString) type).getString(),
                    JsonData.compact(event.get("data")),
                    correlation == null ? null : ((JsonString) correlation).getString());
        } catch (HeraldException e) {
            throw where.isEmpty() ? e : new HeraldException(e.code(), where + e.getMessage());
        }
    }

    /** An idempotency key given as text, or null when absent. */
    static IdempotencyKey key(String text, String where) {
        if (text == null) {
            return null;
        }
        return IdempotencyKey.tryParse(text).orElseThrow(() -> new HeraldException(ErrorCode.INVALID_FIELD,
                where + "the idempotency key must be 1 to " + IdempotencyKey.MAX_LENGTH + " characters, without control characters"));
    }

    private static JsonValue nullToAbsent(JsonValue value) {
        return value == JsonValue.NULL ? null : value;
    }
}
