package dev.herald.application.security;

import dev.herald.domain.ChannelName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChannelGrantTest {

    private static ChannelName ch(String text) {
        return ChannelName.parse(text);
    }

    @Test
    void exactGrantMatchesOnlyThatChannel() {
        // given
        ChannelGrant grant = new ChannelGrant("diagnosis:42");

        // then
        assertTrue(grant.matches(ch("diagnosis:42")));
        assertFalse(grant.matches(ch("diagnosis:421")));
        assertFalse(grant.matches(ch("diagnosis:4")));
        assertFalse(grant.matches(ch("other:42")));
    }

    @Test
    void prefixGrantMatchesEveryIdInItsNamespace() {
        // given
        ChannelGrant grant = new ChannelGrant("diagnosis:*");

        // then
        assertTrue(grant.matches(ch("diagnosis:42")));
        assertTrue(grant.matches(ch("diagnosis:a.b@c")));
        assertFalse(grant.matches(ch("diagnosisx:42")), "the colon is part of the prefix");
        assertFalse(grant.matches(ch("user:42")));
    }

    @Test
    void prefixGrantInsideTheIdMatchesByPrefix() {
        ChannelGrant grant = new ChannelGrant("diagnosis:4*");

        assertTrue(grant.matches(ch("diagnosis:4")));
        assertTrue(grant.matches(ch("diagnosis:42")));
        assertFalse(grant.matches(ch("diagnosis:52")));
    }

    @Test
    void starAloneMatchesEveryChannel() {
        ChannelGrant all = new ChannelGrant("*");

        assertTrue(all.matches(ch("diagnosis:42")));
        assertTrue(all.matches(ch("user:alice")));
        assertTrue(all.matches(ch("a:b")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a*b", "*:42", "diagnosis:*42", "**", "diag*nosis:*", "*x"})
    void refusesAStarAnywhereButTheEnd(String pattern) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ChannelGrant(pattern));
        assertTrue(e.getMessage().contains("only end in '*'"), e.getMessage());
    }

    @Test
    void refusesEmptyNullAndOverlongPatterns() {
        assertThrows(IllegalArgumentException.class, () -> new ChannelGrant(null));
        assertThrows(IllegalArgumentException.class, () -> new ChannelGrant(""));
        assertThrows(IllegalArgumentException.class, () -> new ChannelGrant("a".repeat(ChannelName.MAX_LENGTH + 2)));
        assertEquals(ChannelName.MAX_LENGTH + 1, new ChannelGrant("a".repeat(ChannelName.MAX_LENGTH) + "*").pattern().length());
    }

    @Test
    void exactGrantDoesNotTreatOtherCharactersAsWildcards() {
        ChannelGrant grant = new ChannelGrant("diagnosis:4.2");

        assertTrue(grant.matches(ch("diagnosis:4.2")));
        assertFalse(grant.matches(ch("diagnosis:4x2")));
    }
}
