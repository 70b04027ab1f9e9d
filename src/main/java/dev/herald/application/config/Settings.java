package dev.herald.application.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads over a key-value source, with Herald's notation for durations ({@code 500ms},
 * {@code 30s}, {@code 5m}, {@code 1h}, {@code 7d}, {@code 0}) and sizes ({@code 65536}, {@code 64KiB},
 * {@code 4MiB}). A value that does not parse fails start-up with a message naming the key.
 */
public final class Settings {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB)?");

    private final Function<String, Optional<String>> source;
    private final Supplier<Iterable<String>> names;

    public Settings(Function<String, Optional<String>> source) {
        this(source, List::of);
    }

    /** @param names every key the source holds, for settings keyed by a name (per-namespace limits) */
    public Settings(Function<String, Optional<String>> source, Supplier<Iterable<String>> names) {
        this.source = source;
        this.names = names;
    }

    /** Every key the source knows, where it can list them; empty otherwise. */
    public Iterable<String> names() {
        return names.get();
    }

    public Optional<String> string(String key) {
        return source.apply(key).map(String::trim).filter(s -> !s.isEmpty());
    }

    public String string(String key, String fallback) {
        return string(key).orElse(fallback);
    }

    public Duration duration(String key, String fallback) {
        String text = string(key, fallback);
        try {
            return parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(key, text, e.getMessage());
        }
    }

    public long size(String key, String fallback) {
        String text = string(key, fallback);
        try {
            return parseSize(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(key, text, e.getMessage());
        }
    }

    public int integer(String key, int fallback, int min, int max) {
        Optional<String> text = string(key);
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.get());
            if (value < min || value > max) {
                throw new InvalidSettingException(key, text.get(), "must be between " + min + " and " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(key, text.get(), "not a whole number");
        }
    }

    public boolean bool(String key, boolean fallback) {
        Optional<String> text = string(key);
        if (text.isEmpty()) {
            return fallback;
        }
        return switch (text.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new InvalidSettingException(key, text.get(), "expected true or false");
        };
    }

    public static Duration parseDuration(String text) {
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a duration such as 500ms, 30s, 5m, 1h or 7d");
        }
        try {
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("duration is too large");
        }
    }

    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a size such as 65536, 64KiB or 4MiB");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        try {
            // Exact arithmetic: a wrapped product would pass for a small, plausible size.
            return switch (unit) {
                case "KiB" -> Math.multiplyExact(amount, 1024L);
                case "MiB" -> Math.multiplyExact(amount, 1024L * 1024);
                default -> amount;
            };
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("size is too large");
        }
    }

    /** A setting whose value cannot be used; the message names the key but never echoes secrets. */
    public static final class InvalidSettingException extends IllegalArgumentException {
        public InvalidSettingException(String key, String value, String reason) {
            super("setting " + key + (key.contains("secret") || key.contains("password") ? "" : " = '" + value + "'")
                    + " is invalid: " + reason);
        }
    }
}
