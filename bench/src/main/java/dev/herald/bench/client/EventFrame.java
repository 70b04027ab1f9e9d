package dev.herald.bench.client;

/**
 * The fields the harness reads from a server frame: its {@code type}, and for event frames the
 * {@code channel}, {@code seq} and the publish time {@code t} the harness put into {@code data}.
 *
 * <p>A scanner, not a JSON parser: the harness writes the data itself ({@code {"t":...}}), so
 * the first {@code "seq":} and {@code "t":} keys are the ones wanted. That keeps the client's one
 * core free for receiving.
 */
public record EventFrame(String type, String channel, long seq, long publishNanos, boolean recovered) {

    /** Absent numbers read as this. */
    public static final long NONE = Long.MIN_VALUE;

    /** Reads a frame's text. */
    public static EventFrame parse(String text) {
        String type = JsonScan.string(text, "type");
        String channel = JsonScan.string(text, "channel");
        long seq = JsonScan.number(text, "seq");
        long t = JsonScan.number(text, "t");
        boolean recovered = text.contains("\"recovered\":true");
        return new EventFrame(type == null ? "" : type, channel, seq, t, recovered);
    }

    /** True for an application event (not one of Herald's control frames). */
    public boolean isEvent() {
        return channel != null && seq != NONE && !isControl(type);
    }

    static boolean isControl(String type) {
        return switch (type) {
            case "welcome", "subscribed", "unsubscribed", "published", "accepted", "refreshed",
                 "presence", "error", "ping", "pong" -> true;
            default -> false;
        };
    }
}
