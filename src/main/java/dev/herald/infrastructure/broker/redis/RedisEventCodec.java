package dev.herald.infrastructure.broker.redis;

import dev.herald.application.delivery.JsonText;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventType;
import dev.herald.domain.Sequence;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Set;

/**
 * An event as the text of a Redis pub/sub message:
 * {@code {"channel":"ns:id","seq":7,"type":"t","ts":"2025-01-01T00:00:00.123Z","data":<JSON>,"correlationId":"c"}}
 * ({@code correlationId} only when set). {@code data} is the event's JSON text embedded as is.
 *
 * <p>The decoder is a small hand-written scanner rather than a JSON object model: {@code data} must
 * come back character for character (a parse and re-serialisation could rewrite numbers or escapes),
 * and every instance decodes every event of its channels. It accepts the fields in any order,
 * ignores fields it does not know (room for later versions) and rejects anything else with a
 * {@link MalformedMessageException} naming the first problem.
 */
final class RedisEventCodec {

    /** Nesting allowed inside {@code data}; deeper text is refused rather than risking the stack. */
    private static final int MAX_DEPTH = 256;

    private RedisEventCodec() {
    }

    /** A message that is not an event in this format; the message says why, never what the data was. */
    static final class MalformedMessageException extends Exception {
        MalformedMessageException(String reason) {
            super(reason);
        }
    }

    static String encode(Event e) {
        StringBuilder out = new StringBuilder(112 + e.data().length());
        out.append("{\"channel\":");
        JsonText.quote(out, e.channel().value());
        out.append(",\"seq\":").append(e.seq().value());
        out.append(",\"type\":");
        JsonText.quote(out, e.type().value());
        out.append(",\"ts\":\"").append(DateTimeFormatter.ISO_INSTANT.format(e.ts())).append('"');
        out.append(",\"data\":").append(e.data());
        if (e.correlationId() != null) {
            out.append(",\"correlationId\":");
            JsonText.quote(out, e.correlationId());
        }
        return out.append('}').toString();
    }

    static Event decode(String text) throws MalformedMessageException {
        if (text == null) {
            throw new MalformedMessageException("empty message");
        }
        Scanner in = new Scanner(text);
        ChannelName channel = null;
        Long seq = null;
        EventType type = null;
        Instant ts = null;
        String data = null;
        String correlationId = null;
        Set<String> seen = new HashSet<>(8);

        in.skipWhitespace();
        in.expect('{');
        in.skipWhitespace();
        if (in.peek() != '}') {
            while (true) {
                in.skipWhitespace();
                String key = in.string();
                if (!seen.add(key)) {
                    throw in.error("field '" + clip(key) + "' appears twice");
                }
                in.skipWhitespace();
                in.expect(':');
                in.skipWhitespace();
                switch (key) {
                    case "channel" -> channel = ChannelName.tryParse(in.string())
                            .orElseThrow(() -> in.error("'channel' is not a valid channel name"));
                    case "seq" -> seq = in.sequence();
                    case "type" -> type = eventType(in, in.string());
                    case "ts" -> ts = instant(in, in.string());
                    case "data" -> {
                        int start = in.pos;
                        in.skipValue(0);
                        data = text.substring(start, in.pos);
                    }
                    case "correlationId" -> correlationId = in.nullOrString();
                    default -> in.skipValue(0);
                }
                in.skipWhitespace();
                if (in.peek() == ',') {
                    in.pos++;
                    continue;
                }
                break;
            }
        }
        in.expect('}');
        in.skipWhitespace();
        if (!in.atEnd()) {
            throw in.error("text after the closing brace");
        }
        if (channel == null || seq == null || type == null || ts == null || data == null) {
            throw new MalformedMessageException("missing field: channel, seq, type, ts and data are required");
        }
        return new Event(channel, Sequence.of(seq), type, ts, data, correlationId);
    }

    private static EventType eventType(Scanner in, String value) throws MalformedMessageException {
        try {
            return new EventType(value);
        } catch (IllegalArgumentException e) {
            throw in.error("'type' is not a valid event type");
        }
    }

    private static Instant instant(Scanner in, String value) throws MalformedMessageException {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw in.error("'ts' is not an ISO-8601 instant");
        }
    }

    private static String clip(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "...";
    }

    /** Reads JSON (RFC 8259) from a string, one token at a time. */
    private static final class Scanner {
        private final String text;
        private int pos;

        Scanner(String text) {
            this.text = text;
        }

        boolean atEnd() {
            return pos >= text.length();
        }

        char peek() throws MalformedMessageException {
            if (atEnd()) {
                throw error("unexpected end");
            }
            return text.charAt(pos);
        }

        void expect(char c) throws MalformedMessageException {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        void skipWhitespace() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                pos++;
            }
        }

        String nullOrString() throws MalformedMessageException {
            if (peek() == 'n') {
                literal("null");
                return null;
            }
            return string();
        }

        String string() throws MalformedMessageException {
            expect('"');
            StringBuilder out = null;
            int runStart = pos;
            while (true) {
                char c = peek();
                if (c == '"') {
                    String tail = text.substring(runStart, pos);
                    pos++;
                    return out == null ? tail : out.append(tail).toString();
                }
                if (c < 0x20) {
                    throw error("control character in a string");
                }
                if (c != '\\') {
                    pos++;
                    continue;
                }
                if (out == null) {
                    out = new StringBuilder();
                }
                out.append(text, runStart, pos);
                pos++;
                char escaped = peek();
                pos++;
                switch (escaped) {
                    case '"' -> out.append('"');
                    case '\\' -> out.append('\\');
                    case '/' -> out.append('/');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> out.append(hex4());
                    default -> throw error("invalid escape in a string");
                }
                runStart = pos;
            }
        }

        private char hex4() throws MalformedMessageException {
            if (pos + 4 > text.length()) {
                throw error("unexpected end in a \\u escape");
            }
            int value = 0;
            for (int i = 0; i < 4; i++) {
                int digit = Character.digit(text.charAt(pos + i), 16);
                if (digit < 0) {
                    throw error("invalid \\u escape");
                }
                value = value * 16 + digit;
            }
            pos += 4;
            return (char) value;
        }

        /** A positive integer without sign, fraction or exponent that fits a long: stored events start at 1. */
        long sequence() throws MalformedMessageException {
            int start = pos;
            if (peek() != '-') {
                number();
                try {
                    long value = Long.parseLong(text, start, pos, 10);
                    if (value > 0) {
                        return value;
                    }
                } catch (NumberFormatException e) {
                    // falls through to the error below
                }
            }
            throw error("'seq' must be a positive integer");
        }

        void skipValue(int depth) throws MalformedMessageException {
            if (depth > MAX_DEPTH) {
                throw error("nested deeper than " + MAX_DEPTH);
            }
            char c = peek();
            switch (c) {
                case '{' -> {
                    pos++;
                    skipWhitespace();
                    if (peek() == '}') {
                        pos++;
                        return;
                    }
                    while (true) {
                        skipWhitespace();
                        string();
                        skipWhitespace();
                        expect(':');
                        skipWhitespace();
                        skipValue(depth + 1);
                        skipWhitespace();
                        if (peek() == ',') {
                            pos++;
                            continue;
                        }
                        expect('}');
                        return;
                    }
                }
                case '[' -> {
                    pos++;
                    skipWhitespace();
                    if (peek() == ']') {
                        pos++;
                        return;
                    }
                    while (true) {
                        skipWhitespace();
                        skipValue(depth + 1);
                        skipWhitespace();
                        if (peek() == ',') {
                            pos++;
                            continue;
                        }
                        expect(']');
                        return;
                    }
                }
                case '"' -> string();
                case 't' -> literal("true");
                case 'f' -> literal("false");
                case 'n' -> literal("null");
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        number();
                    } else {
                        throw error("expected a JSON value");
                    }
                }
            }
        }

        private void literal(String word) throws MalformedMessageException {
            if (!text.startsWith(word, pos)) {
                throw error("expected " + word);
            }
            pos += word.length();
        }

        /** {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?} */
        private void number() throws MalformedMessageException {
            if (peekIs('-')) {
                pos++;
            }
            if (peekIs('0')) {
                pos++;
            } else if (!digits()) {
                throw error("invalid number");
            }
            if (peekIs('.')) {
                pos++;
                if (!digits()) {
                    throw error("invalid number");
                }
            }
            if (peekIs('e') || peekIs('E')) {
                pos++;
                if (peekIs('+') || peekIs('-')) {
                    pos++;
                }
                if (!digits()) {
                    throw error("invalid number");
                }
            }
        }

        private boolean digits() {
            int start = pos;
            while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
                pos++;
            }
            return pos > start;
        }

        private boolean peekIs(char c) {
            return pos < text.length() && text.charAt(pos) == c;
        }

        MalformedMessageException error(String reason) {
            return new MalformedMessageException(reason + " at offset " + pos);
        }
    }
}
