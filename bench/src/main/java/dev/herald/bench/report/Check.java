package dev.herald.bench.report;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One target of issue 6 checked against a run: what was required, what was measured, and whether
 * it held. {@code pass} is null when the run could not decide (a figure is missing).
 */
public record Check(String target, String requirement, String measured, Boolean pass) {

    /** A check of {@code value <= limit}; undecided when the value is NaN. */
    public static Check atMost(String target, String requirement, double value, double limit, String unit) {
        return new Check(target, requirement, format(value) + " " + unit, Double.isNaN(value) ? null : value <= limit);
    }

    /** A check of {@code value >= limit}; undecided when the value is NaN. */
    public static Check atLeast(String target, String requirement, double value, double limit, String unit) {
        return new Check(target, requirement, format(value) + " " + unit, Double.isNaN(value) ? null : value >= limit);
    }

    /** "pass", "FAIL" or "n/a". */
    public String verdict() {
        return pass == null ? "n/a" : pass ? "pass" : "FAIL";
    }

    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("target", target);
        map.put("requirement", requirement);
        map.put("measured", measured);
        map.put("verdict", verdict());
        return map;
    }

    /** Numbers as people read them: up to three decimals, no trailing zeros. */
    public static String format(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        if (Math.abs(value) >= 100 || value == Math.rint(value)) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        if (Math.abs(value) >= 1) {
            return String.format(Locale.ROOT, "%.2f", value);
        }
        return String.format(Locale.ROOT, "%.3f", value);
    }
}
