package dev.herald.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void usesTheFullSizeUnlessQuickAndAGivenValueOverBoth() {
        assertEquals(19_500, Options.parse(new String[0]).integer("connections", 19_500, 500));
        assertEquals(500, Options.parse(new String[] {"--quick"}).integer("connections", 19_500, 500));
        Options given = Options.parse(new String[] {"--quick", "--connections", "2,000", "--rate=2.5"});
        assertEquals(2000, given.integer("connections", 19_500, 500));
        assertEquals(2.5, given.decimal("rate", 1000, 100));
        assertEquals(2000, given.resolved().get("connections"));
    }

    @Test
    void reportsOptionsNobodyAskedFor() {
        Options options = Options.parse(new String[] {"--conections", "5"});
        options.integer("connections", 1, 1);
        assertEquals(Set.of("conections"), options.unused());
    }

    @Test
    void refusesAnOptionWithoutItsValue() {
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--seconds"}));
        assertTrue(Options.parse(new String[] {"--quick"}).quick());
    }
}
