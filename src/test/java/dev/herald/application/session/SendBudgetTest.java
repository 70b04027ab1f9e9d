package dev.herald.application.session;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SendBudgetTest {

    @Test
    void measuresTheUtf8BytesOfEveryKindOfCharacter() {
        for (String text : new String[] {"", "ascii", "é", "日本語", "emoji 😀 pair", "mixed é日😀x"}) {
            String copy = new String(text.toCharArray()); // not the cached instance
            assertEquals(text.getBytes(StandardCharsets.UTF_8).length, SendBudget.utf8Length(copy), text);
        }
    }

    @Test
    void aQueueOverItsBytesIsFullEvenWithFewFrames() {
        SendBudget budget = new SendBudget(10, 100);
        assertTrue(budget.reserve("日本語")); // 9 bytes, 3 chars

        assertFalse(budget.reserve("é"), "11 bytes, though only 4 characters");
    }

    @Test
    void aQueueOverItsFrameCountIsFullEvenWithFewBytes() {
        SendBudget budget = new SendBudget(1_000_000, 3);
        assertTrue(budget.reserve("a"));
        assertTrue(budget.reserve("b"));
        assertTrue(budget.reserve("c"));

        assertFalse(budget.reserve("d"));
    }

    @Test
    void awaitingWritableReturnsOnceBothCountsAreHalfEmpty() throws Exception {
        SendBudget budget = new SendBudget(1_000_000, 4);
        for (String f : new String[] {"a", "b", "c", "d"}) {
            budget.reserve(f);
        }
        assertFalse(budget.awaitHalfEmpty(java.time.Duration.ZERO, () -> true), "4 of 4 frames queued");

        budget.release("a");
        budget.release("b");

        assertTrue(budget.awaitHalfEmpty(java.time.Duration.ZERO, () -> true));
    }
}
