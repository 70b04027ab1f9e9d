package dev.herald.application;

import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;

import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.Optional;

/** Event payloads: validated JSON, stored and sent as compact text. */
public final class JsonData {

    /**
     * Looked up once: {@code Json.createParser} and friends look the provider up through the
     * ServiceLoader on every call, which scanned jars on every publish and frame.
     */
    private static final JsonProvider PROVIDER = JsonProvider.provider();

    public static final String NULL = "null";

    private JsonData() {
    }

    /** Compact text of a parsed value; absent data is JSON {@code null}. */
    public static String compact(JsonValue value) {
        if (value == null) {
            return NULL;
        }
        StringWriter out = new StringWriter();
        try (var writer = PROVIDER.createWriter(out)) {
            writer.write(value);
        }
        return out.toString();
    }

    /** Parses and compacts JSON text from in-server code; refuses anything that is not one JSON value. */
    public static String compact(String json) {
        if (json == null) {
            return NULL;
        }
        return compact(parse(new StringReader(json), "data"));
    }

    /** The text as one JSON object; empty when it is not valid JSON or not an object (messages between instances). */
    public static Optional<JsonObject> object(String text) {
        try {
            return parse(new StringReader(text), "the text") instanceof JsonObject object ? Optional.of(object) : Optional.empty();
        } catch (HeraldException e) {
            return Optional.empty();
        }
    }

    /**
     * Reads exactly one JSON value. A JsonReader would stop after the first value and let
     * "{...} trailing text", or a second message glued to the first, pass as valid.
     *
     * @param what names the input in the error message ("the frame", "the body", "data")
     * @throws HeraldException {@code bad_json} for anything else
     */
    public static JsonValue parse(Reader text, String what) {
        try (JsonParser parser = PROVIDER.createParser(text)) {
            if (!parser.hasNext()) {
                throw new HeraldException(ErrorCode.BAD_JSON, what + " is empty");
            }
            parser.next();
            JsonValue value = parser.getValue();
            if (parser.hasNext()) {
                throw new HeraldException(ErrorCode.BAD_JSON, what + " holds more than one JSON value");
            }
            return value;
        } catch (JsonException | IllegalStateException e) {
            throw new HeraldException(ErrorCode.BAD_JSON, what + " is not valid JSON");
        } catch (HeraldException e) {
            throw e;
        } catch (RuntimeException e) {
            // Parsson refuses input nested deeper than 1000 levels with a bare RuntimeException.
            throw new HeraldException(ErrorCode.BAD_JSON, what + " is not valid JSON or nests deeper than 1000 levels");
        }
    }
}
