package dev.herald.testing;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import java.io.StringReader;
import java.util.List;
import java.util.function.Predicate;

/** Reading server frames in tests. */
public final class Frames {

    private Frames() {
    }

    public static JsonObject parse(String frame) {
        try (var reader = Json.createReader(new StringReader(frame))) {
            return reader.readObject();
        }
    }

    public static String type(String frame) {
        return parse(frame).getString("type");
    }

    public static Predicate<String> ofType(String type) {
        return f -> type.equals(type(f));
    }

    /** Event frames of one channel (frames that carry a seq and are not control frames). */
    public static Predicate<String> eventsOn(String channel) {
        return f -> {
            JsonObject o = parse(f);
            return o.containsKey("seq") && channel.equals(o.getString("channel", null))
                    && !o.getString("type").equals("subscribed") && !o.getString("type").equals("published");
        };
    }

    public static List<Long> seqs(List<String> frames) {
        return frames.stream().map(f -> parse(f).getJsonNumber("seq").longValue()).toList();
    }
}
