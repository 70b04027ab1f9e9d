package dev.herald.bench.client;

/**
 * Reads a top-level string or integer member out of compact JSON text the harness knows the
 * shape of (server frames, publish answers, publish bodies) without building a tree.
 */
public final class JsonScan {

    private JsonScan() {
    }

    /** The first string member {@code key}, unescaped only for {@code \"} and {@code \\}; null when absent. */
    public static String string(String json, String key) {
        int start = valueStart(json, key);
        if (start < 0 || start >= json.length() || json.charAt(start) != '"') {
            return null;
        }
        StringBuilder value = new StringBuilder();
        for (int i = start + 1; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '"') {
                return value.toString();
            }
            if (c == '\\' && i + 1 < json.length()) {
                c = json.charAt(++i);
            }
            value.append(c);
        }
        return null;
    }

    /** The first integer member {@code key}; {@link EventFrame#NONE} when absent or not an integer. */
    public static long number(String json, String key) {
        int i = valueStart(json, key);
        if (i < 0) {
            return EventFrame.NONE;
        }
        boolean negative = i < json.length() && json.charAt(i) == '-';
        if (negative) {
            i++;
        }
        long value = 0;
        int digits = 0;
        while (i < json.length() && Character.isDigit(json.charAt(i))) {
            value = value * 10 + (json.charAt(i++) - '0');
            digits++;
        }
        if (digits == 0) {
            return EventFrame.NONE;
        }
        return negative ? -value : value;
    }

    /** The raw JSON text of member {@code key}'s value when it is the last member of the object; null when absent. */
    public static String lastMemberValue(String json, String key) {
        int start = valueStart(json, key);
        int end = json.lastIndexOf('}');
        if (start < 0 || end < start) {
            return null;
        }
        return json.substring(start, end).trim();
    }

    private static int valueStart(String json, String key) {
        String quoted = "\"" + key + "\"";
        int at = json.indexOf(quoted);
        while (at >= 0) {
            int i = at + quoted.length();
            while (i < json.length() && json.charAt(i) == ' ') {
                i++;
            }
            if (i < json.length() && json.charAt(i) == ':') {
                i++;
                while (i < json.length() && json.charAt(i) == ' ') {
                    i++;
                }
                return i;
            }
            at = json.indexOf(quoted, at + 1);
        }
        return -1;
    }
}
