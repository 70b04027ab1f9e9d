package dev.herald.application;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParsingException;

import java.io.StringReader;
import java.io.StringWriter;

/** Event payloads: validated JSON, stored and sent as compact text. */
public final class JsonData {

    public static final String NULL = "null";

    private JsonData() {
    }

    /** Compact text of a parsed value; absent data is JSON {@code null}. */
    public static String compact(JsonValue value) {
        if (value == null) {
            return NULL;
        }
        StringWriter out = new StringWriter();
        try (var writer = Json.createWriter(out)) {
            writer.write(value);
        }
        return out.toString();
    }

    /** Parses and compacts JSON text from in-server code; refuses anything that is not one JSON value. */
    public static String compact(String json) {
        if (json == null) {
            return NULL;
        }
        try (JsonParser parser = Json.createParser(new StringReader(json))) {
            if (!parser.hasNext()) {
                throw new HeraldException(ErrorCode.BAD_JSON, "data is empty");
            }
            parser.next();
            JsonValue value = parser.getValue();
            if (parser.hasNext()) {
                throw new HeraldException(ErrorCode.BAD_JSON, "data holds more than one JSON value");
            }
            return compact(value);
        } catch (JsonParsingException e) {
            throw new HeraldException(ErrorCode.BAD_JSON, "data is not valid JSON: " + e.getMessage());
        } catch (JsonException e) {
            throw new HeraldException(ErrorCode.BAD_JSON, "data is not valid JSON");
        }
    }
}
