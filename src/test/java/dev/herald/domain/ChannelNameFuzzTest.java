package dev.herald.domain;

import dev.herald.testing.Fuzz;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.Random;

import static dev.herald.testing.Fuzz.forAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Random and near-valid channel names: parsing never throws, accepts exactly the documented grammar and round-trips. */
class ChannelNameFuzzTest {

    private static final String NS_FIRST = "abcdefghijklmnopqrstuvwxyz";
    private static final String NS_REST = NS_FIRST + "0123456789_-";
    private static final String ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._@-";

    private static String from(Random r, String alphabet, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    /** Valid names of every length, including the limits (32 + 1 + 128), and their mutations. */
    private static String nearValid(Random r) {
        String valid = from(r, NS_FIRST, 1) + from(r, NS_REST, r.nextInt(32)) + ":" + from(r, ID_CHARS, 1 + r.nextInt(128));
        return switch (r.nextInt(3)) {
            case 0 -> valid;
            case 1 -> Fuzz.mutate(r, valid);
            default -> valid + from(r, ID_CHARS + ":/ \u00e9", 1 + r.nextInt(3));
        };
    }

    private static boolean matchesGrammar(String text) {
        return text.matches("[a-z][a-z0-9_-]{0,31}:[A-Za-z0-9._@-]{1,128}");
    }

    private static void parsesExactlyTheGrammar(String text) {
        Optional<ChannelName> parsed = ChannelName.tryParse(text);
        assertEquals(matchesGrammar(text), parsed.isPresent());
        if (parsed.isPresent()) {
            assertEquals(text, parsed.get().value());
            assertEquals(parsed.get(), ChannelName.parse(parsed.get().value()));
            assertTrue(text.length() <= ChannelName.MAX_LENGTH);
        } else {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChannelName.parse(text));
            assertTrue(e.getMessage().startsWith("invalid channel name"));
        }
    }

    @Test
    void randomTextParsesOnlyWhenItMatchesTheGrammar() {
        forAll(5000, r -> Fuzz.anyString(r, 200), ChannelNameFuzzTest::parsesExactlyTheGrammar);
    }

    @Test
    void nearValidNamesParseOnlyWhenTheyMatchTheGrammar() {
        forAll(5000, ChannelNameFuzzTest::nearValid, ChannelNameFuzzTest::parsesExactlyTheGrammar);
    }

    @Test
    void theConstructorAcceptsExactlyTheGrammarAndOtherwiseThrowsIllegalArgument() {
        forAll(5000, r -> new String[]{r.nextBoolean() ? Fuzz.anyString(r, 40) : from(r, NS_REST, r.nextInt(34)),
                r.nextBoolean() ? Fuzz.anyString(r, 140) : from(r, ID_CHARS, r.nextInt(131))}, parts -> {
            boolean valid = matchesGrammar(parts[0] + ":" + parts[1]) && !parts[0].contains(":");
            if (valid) {
                assertEquals(parts[0] + ":" + parts[1], ChannelName.of(parts[0], parts[1]).value());
            } else {
                assertThrows(IllegalArgumentException.class, () -> ChannelName.of(parts[0], parts[1]));
            }
        });
    }
}
