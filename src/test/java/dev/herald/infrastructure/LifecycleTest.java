package dev.herald.infrastructure;

import dev.herald.application.config.HeraldConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The drain window on SIGTERM, within what Payara's shutdown grace leaves the listeners. */
class LifecycleTest {

    private static final HeraldConfig.Shutdown TEN_SECONDS = new HeraldConfig.Shutdown(Duration.ofSeconds(10), Duration.ofSeconds(2));

    @Test
    void aGraceLongerThanDrainAndPatienceKeepsTheConfiguredWindow() {
        assertEquals(Duration.ofSeconds(10), Lifecycle.windowWithin(TEN_SECONDS, 12_000));
        assertEquals(Duration.ofSeconds(10), Lifecycle.windowWithin(TEN_SECONDS, 60_000));
    }

    @Test
    void aShorterGraceShortensTheWindowSoEveryCloseLeavesBeforeTheListenersStop() {
        assertEquals(Duration.ofSeconds(4), Lifecycle.windowWithin(TEN_SECONDS, 6_000));
    }

    @Test
    void noGraceClosesEveryoneAtOnce() {
        assertEquals(Duration.ZERO, Lifecycle.windowWithin(TEN_SECONDS, 0));
        assertEquals(Duration.ZERO, Lifecycle.windowWithin(TEN_SECONDS, 1_500));
    }
}
