package dev.herald.domain;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SequenceTest {

    @Test
    void refusesNegativeValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Sequence(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Sequence.of(-1));
        assertThrows(IllegalArgumentException.class, () -> Sequence.of(Long.MIN_VALUE));
    }

    @Test
    void zeroIsTheSharedStartPosition() {
        assertSame(Sequence.ZERO, Sequence.of(0));
        assertEquals(0, Sequence.ZERO.value());
        assertEquals(new Sequence(0), Sequence.ZERO);
    }

    @Test
    void nextIsOneHigher() {
        // given
        Sequence five = Sequence.of(5);

        // when
        Sequence six = five.next();

        // then
        assertEquals(6, six.value());
        assertEquals(5, five.value(), "sequences are immutable");
        assertEquals(Sequence.of(1), Sequence.ZERO.next());
    }

    @Test
    void ordersByValue() {
        // given
        List<Sequence> seqs = new ArrayList<>(List.of(Sequence.of(3), Sequence.of(10), Sequence.ZERO, Sequence.of(2)));

        // when
        Collections.sort(seqs);

        // then
        assertEquals(List.of(Sequence.ZERO, Sequence.of(2), Sequence.of(3), Sequence.of(10)), seqs);
        assertTrue(Sequence.of(2).compareTo(Sequence.of(3)) < 0);
        assertTrue(Sequence.of(3).compareTo(Sequence.of(2)) > 0);
        assertEquals(0, Sequence.of(7).compareTo(new Sequence(7)));
    }

    @Test
    void comparesLargeValuesWithoutOverflow() {
        assertTrue(Sequence.of(Long.MAX_VALUE).compareTo(Sequence.of(1)) > 0);
        assertTrue(Sequence.of(Long.MAX_VALUE).isAfter(Sequence.ZERO));
    }

    @Test
    void isAfterIsStrict() {
        assertTrue(Sequence.of(2).isAfter(Sequence.of(1)));
        assertFalse(Sequence.of(1).isAfter(Sequence.of(1)));
        assertFalse(Sequence.of(1).isAfter(Sequence.of(2)));
    }

    @Test
    void printsAsThePlainNumber() {
        assertEquals("42", Sequence.of(42).toString());
    }
}
