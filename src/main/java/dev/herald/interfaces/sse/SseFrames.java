package dev.herald.interfaces.sse;

import dev.herald.application.delivery.JsonText;
import dev.herald.application.session.CloseCode;

import java.time.Duration;

/**
 * The text/event-stream form of Herald's frames (docs/protocol.md, section 20). Reads what it
 * needs from the JSON the application already encoded ({@code ServerFrames}), which always starts
 * with {@code {"type":"...",} and, for an event, continues with {@code "channel"} and {@code "seq"};
 * neither a type nor a channel name ever needs escaping.
 */
final class SseFrames {

    /** A comment line: ignored by EventSource, but it crosses every proxy and fails on a dead socket. */
    static final String PING = ": ping\n\n";

    private static final String TYPE_PREFIX = "{\"type\":\"";
    private static final String SEQ_FIELD = ",\"seq\":";

    private SseFrames() {
    }

    static String retry(Duration delay) {
        return "retry: " + delay.toMillis() + "\n\n";
    }

    /** {@code id:} = seq, {@code event:} = the event type, {@code data:} = the frame, one line. */
    static String event(String type, long seq, String frame) {
        StringBuilder out = new StringBuilder(frame.length() + type.length() + 40)
                .append("id: ").append(seq).append('\n');
        return data(out.append("event: ").append(type).append('\n'), frame);
    }

    /** A control frame as a named event without {@code id:}, so it never moves the client's resume position. */
    static String named(String type, String frame) {
        return data(new StringBuilder(frame.length() + type.length() + 16).append("event: ").append(type).append('\n'), frame);
    }

    /** What a WebSocket client would read in the close frame, sent as the stream's last event. */
    static String close(CloseCode code, String reason) {
        StringBuilder json = new StringBuilder(64 + reason.length())
                .append("{\"type\":\"close\",\"code\":").append(code.code()).append(",\"reason\":");
        JsonText.quote(json, reason).append('}');
        return named("close", json.toString());
    }

    /** The frame's {@code type}, or null when the text is not one of Herald's frames. */
    static String type(String frame) {
        if (!frame.startsWith(TYPE_PREFIX)) {
            return null;
        }
        int end = frame.indexOf('"', TYPE_PREFIX.length());
        return end < 0 ? null : frame.substring(TYPE_PREFIX.length(), end);
    }

    /** The {@code seq} of an event frame, or -1 when it has none. */
    static long seq(String frame) {
        int at = frame.indexOf(SEQ_FIELD);
        if (at < 0) {
            return -1;
        }
        long seq = 0;
        int i = at + SEQ_FIELD.length();
        int start = i;
        for (; i < frame.length() && Character.isDigit(frame.charAt(i)); i++) {
            seq = seq * 10 + (frame.charAt(i) - '0');
        }
        return i == start ? -1 : seq;
    }

    /**
     * One {@code data:} line per line of the text. Herald's JSON is written on one line; should a
     * line break ever appear (only possible between JSON tokens), EventSource joins the lines with
     * {@code \n} and the JSON still parses.
     */
    private static String data(StringBuilder out, String text) {
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                out.append("data: ").append(text, start, i).append('\n');
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        return out.append("data: ").append(text, start, text.length()).append("\n\n").toString();
    }
}
