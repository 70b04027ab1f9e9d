package dev.herald.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChannelNameTest {

    private static final String NS_32 = "a" + "b".repeat(31);
    private static final String NS_33 = "a" + "b".repeat(32);
    private static final String ID_128 = "X".repeat(128);
    private static final String ID_129 = "X".repeat(129);

    @ParameterizedTest
    @ValueSource(strings = {"diagnosis:42", "user:alice@example.com", "a:b", "t_1-x:A.b_c-d@e",
            "ns9:0", "x-y_z:UPPER.lower"})
    void parsesValidNames(String text) {
        // when
        ChannelName name = ChannelName.parse(text);

        // then
        assertEquals(text, name.value());
        assertEquals(Optional.of(name), ChannelName.tryParse(text));
    }

    @Test
    void splitsAtTheColonIntoNamespaceAndId() {
        // when
        ChannelName name = ChannelName.parse("diagnosis:42");

        // then
        assertEquals("diagnosis", name.namespace());
        assertEquals("42", name.id());
        assertEquals("diagnosis:42", name.toString());
    }

    @Test
    void acceptsThe32CharacterNamespaceAndThe128CharacterIdTogether() {
        // given the longest legal name
        String text = NS_32 + ":" + ID_128;

        // when
        ChannelName name = ChannelName.parse(text);

        // then
        assertEquals(ChannelName.MAX_LENGTH, text.length());
        assertEquals(NS_32, name.namespace());
        assertEquals(ID_128, name.id());
    }

    @Test
    void refusesA33CharacterNamespace() {
        assertTrue(ChannelName.tryParse(NS_33 + ":1").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new ChannelName(NS_33, "1"));
        assertFalse(ChannelName.isNamespace(NS_33));
        assertTrue(ChannelName.isNamespace(NS_32));
    }

    @Test
    void refusesA129CharacterId() {
        assertTrue(ChannelName.tryParse("ns:" + ID_129).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new ChannelName("ns", ID_129));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Diagnosis:42",   // uppercase namespace
            "dIAG:42",        // uppercase inside the namespace
            "1ns:42",         // namespace must start with a letter
            "_ns:42",
            ":42",            // empty namespace
            "diagnosis:",     // empty id
            ":",              // both empty
            "",               // nothing
            "diagnosis42",    // missing colon
            "diagnosis:4:2",  // a second colon lands in the id, where ':' is not allowed
            "diagnosis:a b",  // space in the id
            "diagnosis:a/b",  // slash in the id
            "diagnosis:é",    // non-ASCII id
            "diag nosis:1",   // space in the namespace
            "diagnosis:42\n", // trailing newline must not slip past the pattern
            " diagnosis:42",
    })
    void refusesInvalidNames(String text) {
        // when / then
        assertTrue(ChannelName.tryParse(text).isEmpty(), () -> "tryParse accepted " + text);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChannelName.parse(text));
        assertTrue(e.getMessage().contains("namespace:id"), e.getMessage());
    }

    @ParameterizedTest
    @NullSource
    void treatsNullAsInvalid(String text) {
        assertEquals(Optional.empty(), ChannelName.tryParse(text));
        assertThrows(IllegalArgumentException.class, () -> ChannelName.parse(text));
        assertFalse(ChannelName.isNamespace(text));
    }

    @Test
    void constructorRefusesNullOrInvalidParts() {
        assertThrows(IllegalArgumentException.class, () -> new ChannelName(null, "1"));
        assertThrows(IllegalArgumentException.class, () -> new ChannelName("ns", null));
        assertThrows(IllegalArgumentException.class, () -> new ChannelName("ns", ""));
        assertThrows(IllegalArgumentException.class, () -> new ChannelName("", "1"));
        assertThrows(IllegalArgumentException.class, () -> ChannelName.of("ns", "a:b"));
    }

    @Test
    void tryParseIsEmptyWhereParseThrows() {
        // given
        String bad = "no-colon";

        // when
        Optional<ChannelName> tried = ChannelName.tryParse(bad);

        // then
        assertTrue(tried.isEmpty());
        assertThrows(IllegalArgumentException.class, () -> ChannelName.parse(bad));
    }

    @Test
    void equalNamesAreEqualAndHashAlike() {
        // given
        ChannelName parsed = ChannelName.parse("diagnosis:42");
        ChannelName built = ChannelName.of("diagnosis", "42");

        // then
        assertEquals(parsed, built);
        assertEquals(parsed.hashCode(), built.hashCode());
        assertEquals(parsed.value(), built.value());
        assertNotEquals(parsed, ChannelName.of("diagnosis", "43"));
        assertNotEquals(parsed, ChannelName.of("diagnosisx", "42"));
        assertNotEquals(parsed, (Object) "diagnosis:42");
    }

    @Test
    void idsAreCaseSensitive() {
        assertNotEquals(ChannelName.parse("user:Alice"), ChannelName.parse("user:alice"));
    }
}
