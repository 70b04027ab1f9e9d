package dev.herald.application.delivery;

import jakarta.json.Json;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.StringReader;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTextTest {

    /** Reads a JSON string literal back with a real parser. */
    private static String roundTrip(String literal) {
        try (JsonReader reader = Json.createReader(new StringReader(literal))) {
            return ((JsonString) reader.readValue()).getString();
        }
    }

    @Test
    void wrapsPlainTextInQuotes() {
        assertEquals("\"hello\"", JsonText.quote("hello"));
        assertEquals("\"\"", JsonText.quote(""));
    }

    @Test
    void escapesQuotesAndBackslashes() {
        // when
        String literal = JsonText.quote("say \"hi\" \\ there");

        // then
        assertEquals("\"say \\\"hi\\\" \\\\ there\"", literal);
        assertEquals("say \"hi\" \\ there", roundTrip(literal));
    }

    @Test
    void escapesNewlineReturnAndTabShort() {
        assertEquals("\"a\\nb\\rc\\td\"", JsonText.quote("a\nb\rc\td"));
        assertEquals("a\nb\rc\td", roundTrip(JsonText.quote("a\nb\rc\td")));
    }

    @Test
    void escapesOtherControlCharactersAsUnicodeEscapes() {
        // when
        String literal = JsonText.quote("x\u0001y\u0000z\u001f\b\f");

        // then
        assertEquals("\"x\\u0001y\\u0000z\\u001f\\u0008\\u000c\"", literal);
        assertEquals("x\u0001y\u0000z\u001f\b\f", roundTrip(literal));
    }

    @Test
    void escapesEveryCharacterBelowSpace() {
        for (char c = 0; c < 0x20; c++) {
            String literal = JsonText.quote(String.valueOf(c));
            for (int i = 1; i < literal.length() - 1; i++) {
                assertTrue(literal.charAt(i) >= 0x20, () -> "raw control character in " + literal);
            }
            assertEquals(String.valueOf(c), roundTrip(literal));
        }
    }

    @Test
    void escapesLineAndParagraphSeparatorsForJavaScript() {
        // when
        String literal = JsonText.quote("a\u2028b\u2029c");

        // then
        assertEquals("\"a\\u2028b\\u2029c\"", literal);
        assertFalse(literal.contains("\u2028"));
        assertFalse(literal.contains("\u2029"));
        assertEquals("a\u2028b\u2029c", roundTrip(literal));
    }

    @ParameterizedTest
    @ValueSource(strings = {"café", "é", "日本語", "😀", "emoji 🚀 and ü", "\u007f", "/slash</script>"})
    void leavesOtherCharactersIntact(String text) {
        // when
        String literal = JsonText.quote(text);

        // then
        assertEquals("\"" + text + "\"", literal);
        assertEquals(text, roundTrip(literal));
    }

    @Test
    void appendsToTheGivenBuilder() {
        // given
        StringBuilder out = new StringBuilder("{\"k\":");

        // when
        StringBuilder returned = JsonText.quote(out, "v\"");

        // then
        assertSame(out, returned);
        assertEquals("{\"k\":\"v\\\"\"", out.toString());
    }

    @Test
    void roundTripsRandomTextFromTheBasicPlane() {
        // given a fixed seed so a failure reproduces
        Random random = new Random(20250304L);
        for (int n = 0; n < 500; n++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(40);
            for (int i = 0; i < length; i++) {
                char c = (char) random.nextInt(0xD800); // below the surrogates: always a whole code point
                text.append(c);
            }
            String value = text.toString();

            // when / then
            assertEquals(value, roundTrip(JsonText.quote(value)), () -> "failed to round-trip " + value);
        }
    }
}
