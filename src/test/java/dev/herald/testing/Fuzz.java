package dev.herald.testing;

import java.util.Random;
import java.util.function.Function;

/**
 * Property tests without a framework: a bounded number of generated inputs per property, from a
 * seed that every failure names, so a failing input can be replayed with {@code -Dherald.fuzz.seed=}.
 * Each run uses a new seed unless one is given, so the suite explores further over time.
 */
public final class Fuzz {

    public static final long SEED = Long.getLong("herald.fuzz.seed", System.nanoTime());

    private Fuzz() {
    }

    public interface Property<T> {
        void check(T input) throws Exception;
    }

    /** Checks {@code property} on {@code tries} inputs from {@code generator}; the first failure names the seed and the input. */
    public static <T> void forAll(int tries, Function<Random, T> generator, Property<T> property) {
        Random random = new Random(SEED);
        for (int i = 0; i < tries; i++) {
            T input = generator.apply(random);
            try {
                property.check(input);
            } catch (Throwable failure) {
                throw new AssertionError("property failed on try " + i + " with -Dherald.fuzz.seed=" + SEED
                        + " for input: " + describe(input) + "\n" + failure, failure);
            }
        }
    }

    private static String describe(Object input) {
        String text = input instanceof Object[] array ? java.util.Arrays.toString(array) : String.valueOf(input);
        return text.length() > 2000 ? text.substring(0, 2000) + "... (" + text.length() + " chars)" : text;
    }

    // ---- generators ----

    private static final String JSONISH = "{}[]:,\"\\ tnrufalse0123456789.-+eE";
    private static final String[] TOKENS = {"{", "}", "[", "]", ":", ",", "\"", "\\", "\\u", "\\ud800", "null", "true",
            "false", "-0", "1e999", "0.0000001", "\"type\"", "\"channel\"", "\"since\"", "\"seq\"", "\"data\"", "\"ref\"",
            "\"token\"", "\"event\"", "\"name\"", "\"correlationId\"", "\"subscribe\"", "\"publish\"", "\"ack\"", "\"auth\"",
            "\"command\"", "\"presence\"", "\"unsubscribe\"", "\"ping\"", "\"pong\"", "\"diagnosis:42\"", "\u0000", "\u2028",
            "\uFEFF", "\uD83D\uDE00", "\uDC00", "9223372036854775807", "9223372036854775808", "-1"};

    /** Any characters at all, lone surrogates and control characters included, up to {@code max} long. */
    public static String anyString(Random random, int max) {
        int length = random.nextInt(max + 1);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(switch (random.nextInt(4)) {
                case 0 -> (char) random.nextInt(0x80);
                case 1 -> JSONISH.charAt(random.nextInt(JSONISH.length()));
                case 2 -> (char) random.nextInt(0x20);
                default -> (char) random.nextInt(Character.MAX_VALUE + 1);
            });
        }
        return text.toString();
    }

    /** Text built from JSON tokens and protocol words: closer to a frame than random characters, so the decoder gets past the parser. */
    public static String jsonish(Random random, int pieces) {
        StringBuilder text = new StringBuilder();
        int count = random.nextInt(pieces + 1);
        for (int i = 0; i < count; i++) {
            text.append(random.nextInt(5) == 0 ? anyString(random, 4) : TOKENS[random.nextInt(TOKENS.length)]);
        }
        return text.toString();
    }

    /** A few random edits of {@code valid}: characters replaced, inserted, deleted, a cut, or a piece repeated. */
    public static String mutate(Random random, String valid) {
        StringBuilder text = new StringBuilder(valid);
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = text.length() == 0 ? 0 : random.nextInt(text.length());
            switch (random.nextInt(6)) {
                case 0 -> {
                    if (text.length() > 0) {
                        text.setCharAt(at, (char) random.nextInt(Character.MAX_VALUE + 1));
                    }
                }
                case 1 -> text.insert(at, TOKENS[random.nextInt(TOKENS.length)]);
                case 2 -> {
                    if (text.length() > 0) {
                        text.deleteCharAt(at);
                    }
                }
                case 3 -> text.setLength(at);
                case 4 -> text.insert(at, text.substring(at, Math.min(text.length(), at + 1 + random.nextInt(16))));
                default -> {
                    if (text.length() > 0) {
                        text.setCharAt(at, JSONISH.charAt(random.nextInt(JSONISH.length())));
                    }
                }
            }
        }
        return text.toString();
    }

    /** One of {@code choices}. */
    @SafeVarargs
    public static <T> T oneOf(Random random, T... choices) {
        return choices[random.nextInt(choices.length)];
    }
}
