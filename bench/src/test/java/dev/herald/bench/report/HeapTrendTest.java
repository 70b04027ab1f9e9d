package dev.herald.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HeapTrendTest {

    private static HeapTrend.Sample at(double seconds, double heapMib) {
        return new HeapTrend.Sample(seconds, heapMib, 1000);
    }

    @Test
    void aHeapThatOnlyWobblesIsFlat() {
        HeapTrend trend = new HeapTrend(List.of(at(0, 300), at(60, 310), at(120, 298), at(180, 305), at(240, 301)));
        assertTrue(trend.flat(), trend.describe());
        assertEquals(-0.3, trend.slopeMibPerMinute(), 1e-9);
    }

    @Test
    void aHeapGrowingByAFifthIsNotFlat() {
        HeapTrend trend = new HeapTrend(List.of(at(0, 300), at(60, 315), at(120, 330), at(180, 345), at(240, 360)));
        assertEquals(15, trend.slopeMibPerMinute(), 1e-9);
        assertEquals(60, trend.trendGrowthMib(), 1e-9);
        assertEquals(30, trend.allowedGrowthMib(), 1e-9);
        assertFalse(trend.flat());
    }

    @Test
    void aSmallHeapMayGrowBySixteenMib() {
        HeapTrend trend = new HeapTrend(List.of(at(0, 50), at(300, 58), at(600, 65)));
        assertEquals(16, trend.allowedGrowthMib(), 1e-9);
        assertTrue(trend.flat());
    }

    @Test
    void twoSamplesAreNotEnoughToCallItFlat() {
        assertFalse(new HeapTrend(List.of(at(0, 300), at(60, 300))).flat());
    }

    @Test
    void theDescriptionListsTimeHeapAndRss() {
        assertEquals("t=0s:300.0/1000, t=60s:301.5/1000", new HeapTrend(List.of(at(0, 300), at(60, 301.5))).describe());
    }
}
