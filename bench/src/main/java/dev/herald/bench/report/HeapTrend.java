package dev.herald.bench.report;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Live-heap samples (after a full GC) taken at regular times during a soak, and whether they stay
 * flat: the least-squares slope over the samples, and the growth it implies over the whole span,
 * against an allowance of {@link #ALLOWED_FRACTION} of the first sample or {@link #ALLOWED_MIB},
 * whichever is larger. The first sample is taken after the warm-up, so class loading and JIT
 * caches are not counted as growth.
 */
public record HeapTrend(List<Sample> samples) {

    /** Growth over the soak allowed as a fraction of the first sample. */
    public static final double ALLOWED_FRACTION = 0.10;
    /** Growth over the soak always allowed, in MiB: GC and allocator noise on a small heap. */
    public static final double ALLOWED_MIB = 16;

    /** One sample: seconds since the soak began, live heap and RSS in MiB. */
    public record Sample(double seconds, double heapMib, double rssMib) {
    }

    public HeapTrend {
        samples = List.copyOf(samples);
    }

    /** Least-squares slope of the live heap, MiB per minute; NaN with fewer than two samples. */
    public double slopeMibPerMinute() {
        int n = samples.size();
        if (n < 2) {
            return Double.NaN;
        }
        double meanT = samples.stream().mapToDouble(Sample::seconds).average().orElseThrow();
        double meanH = samples.stream().mapToDouble(Sample::heapMib).average().orElseThrow();
        double covariance = 0;
        double variance = 0;
        for (Sample s : samples) {
            covariance += (s.seconds() - meanT) * (s.heapMib() - meanH);
            variance += (s.seconds() - meanT) * (s.seconds() - meanT);
        }
        return variance == 0 ? Double.NaN : covariance / variance * 60;
    }

    /** The growth the slope implies from the first sample to the last, MiB. */
    public double trendGrowthMib() {
        if (samples.size() < 2) {
            return Double.NaN;
        }
        double span = samples.get(samples.size() - 1).seconds() - samples.get(0).seconds();
        return slopeMibPerMinute() * span / 60;
    }

    /** The growth allowed over the soak, MiB. */
    public double allowedGrowthMib() {
        return samples.isEmpty() ? Double.NaN : Math.max(ALLOWED_MIB, samples.get(0).heapMib() * ALLOWED_FRACTION);
    }

    /** True when there are at least three samples and the trend grows less than allowed. */
    public boolean flat() {
        return samples.size() >= 3 && trendGrowthMib() <= allowedGrowthMib();
    }

    /** {@code t=60s:312.4/1020} pairs of time, heap and RSS, for the report. */
    public String describe() {
        return samples.stream()
                .map(s -> String.format(Locale.ROOT, "t=%.0fs:%.1f/%.0f", s.seconds(), s.heapMib(), s.rssMib()))
                .collect(Collectors.joining(", "));
    }
}
