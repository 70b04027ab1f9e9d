package dev.herald.bench.report;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The percentiles every run reports, in milliseconds, from a histogram of microseconds:
 * p50, p90, p99, p99.9 and max, with the count and mean.
 */
public record LatencySummary(long count, double meanMs, double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs) {

    /** The summary of {@code micros}; all zero for an empty histogram. */
    public static LatencySummary of(Histogram micros) {
        if (micros.getTotalCount() == 0) {
            return new LatencySummary(0, 0, 0, 0, 0, 0, 0);
        }
        return new LatencySummary(micros.getTotalCount(), micros.getMean() / 1000.0,
                ms(micros, 50), ms(micros, 90), ms(micros, 99), ms(micros, 99.9), micros.getMaxValue() / 1000.0);
    }

    private static double ms(Histogram micros, double percentile) {
        return micros.getValueAtPercentile(percentile) / 1000.0;
    }

    /** The figures for a report, keys prefixed (e.g. {@code latency_}). */
    public Map<String, Object> toMap(String prefix) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(prefix + "count", count);
        map.put(prefix + "mean_ms", meanMs);
        map.put(prefix + "p50_ms", p50Ms);
        map.put(prefix + "p90_ms", p90Ms);
        map.put(prefix + "p99_ms", p99Ms);
        map.put(prefix + "p99.9_ms", p999Ms);
        map.put(prefix + "max_ms", maxMs);
        return map;
    }
}
