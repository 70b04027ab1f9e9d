package dev.herald.bench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SequenceCheckerTest {

    @Test
    void countsNothingWrongForAnInOrderStream() {
        SequenceChecker checker = new SequenceChecker(0);
        for (long seq = 1; seq <= 5; seq++) {
            assertEquals(SequenceChecker.Arrival.IN_ORDER, checker.accept(seq));
        }
        assertEquals(5, checker.received());
        assertEquals(0, checker.lost(5));
        assertEquals(0, checker.duplicates());
        assertEquals(0, checker.outOfOrder());
        assertTrue(checker.complete(5));
    }

    @Test
    void startsAfterTheGivenPosition() {
        SequenceChecker checker = new SequenceChecker(17);
        assertEquals(SequenceChecker.Arrival.IN_ORDER, checker.accept(18));
        assertEquals(0, checker.lost(18));
    }

    @Test
    void countsAGapNeverFilledAsLoss() {
        SequenceChecker checker = new SequenceChecker(0);
        checker.accept(1);
        assertEquals(SequenceChecker.Arrival.AFTER_GAP, checker.accept(4));
        assertEquals(2, checker.lost(4));
        assertFalse(checker.complete(4));
    }

    @Test
    void countsTheTailBelowTheHeadAsLoss() {
        SequenceChecker checker = new SequenceChecker(0);
        checker.accept(1);
        checker.accept(2);
        assertEquals(3, checker.lost(5));
    }

    @Test
    void countsALateArrivalAsOutOfOrderAndNotAsLoss() {
        SequenceChecker checker = new SequenceChecker(0);
        checker.accept(1);
        checker.accept(3);
        assertEquals(SequenceChecker.Arrival.LATE, checker.accept(2));
        assertEquals(1, checker.outOfOrder());
        assertEquals(0, checker.lost(3));
        assertEquals(3, checker.received());
    }

    @Test
    void countsARepeatAsDuplicateWhetherRecentOrOld() {
        SequenceChecker checker = new SequenceChecker(0);
        checker.accept(1);
        checker.accept(2);
        assertEquals(SequenceChecker.Arrival.DUPLICATE, checker.accept(2));
        assertEquals(SequenceChecker.Arrival.DUPLICATE, checker.accept(1));
        assertEquals(2, checker.duplicates());
        assertEquals(2, checker.received());
    }

    @Test
    void countsAFilledGapRepeatedAsDuplicate() {
        SequenceChecker checker = new SequenceChecker(0);
        checker.accept(2);
        checker.accept(1);
        assertEquals(SequenceChecker.Arrival.DUPLICATE, checker.accept(1));
        assertEquals(1, checker.outOfOrder());
        assertEquals(1, checker.duplicates());
    }

    @Test
    void countsEventsAtOrBeforeTheStartAsDuplicates() {
        SequenceChecker checker = new SequenceChecker(10);
        assertEquals(SequenceChecker.Arrival.DUPLICATE, checker.accept(10));
        assertEquals(SequenceChecker.Arrival.DUPLICATE, checker.accept(3));
    }

    @Test
    void countsAHugeGapWithoutRememberingEachNumber() {
        SequenceChecker checker = new SequenceChecker(0);
        long far = SequenceChecker.MAX_REMEMBERED_GAP + 10L;
        checker.accept(far);
        assertEquals(far - 1, checker.lost(far));
        assertEquals(SequenceChecker.Arrival.DUPLICATE, checker.accept(5));
    }
}
