package dev.herald.application.metrics;

/**
 * Writes the Prometheus text exposition format, version 0.0.4: a {@code # HELP} and {@code # TYPE}
 * line per metric family, then one sample per line. Label values here are Herald's own constants,
 * escaped all the same.
 */
public final class PrometheusText {

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out = new StringBuilder(4096);

    public PrometheusText family(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ');
        for (int i = 0; i < help.length(); i++) {
            char c = help.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
        out.append('\n').append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /** One sample; {@code labels} alternate names and values. */
    public PrometheusText sample(String name, double value, String... labels) {
        out.append(name);
        if (labels.length > 0) {
            out.append('{');
            for (int i = 0; i + 1 < labels.length; i += 2) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(labels[i]).append("=\"");
                escapeLabel(labels[i + 1]);
                out.append('"');
            }
            out.append('}');
        }
        out.append(' ').append(format(value)).append('\n');
        return this;
    }

    public PrometheusText gauge(String name, String help, double value) {
        return family(name, "gauge", help).sample(name, value);
    }

    public PrometheusText counter(String name, String help, double value) {
        return family(name, "counter", help).sample(name, value);
    }

    public PrometheusText histogram(String name, String help, LatencyHistogram.Snapshot snapshot) {
        family(name, "histogram", help);
        long[] cumulative = snapshot.cumulative();
        for (int i = 0; i < LatencyHistogram.BOUNDS_SECONDS.length; i++) {
            sample(name + "_bucket", cumulative[i], "le", format(LatencyHistogram.BOUNDS_SECONDS[i]));
        }
        sample(name + "_bucket", snapshot.count(), "le", "+Inf");
        sample(name + "_sum", snapshot.sumSeconds());
        return sample(name + "_count", snapshot.count());
    }

    private void escapeLabel(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    /** Integers without a fraction (counts stay exact and readable), others in Java's shortest form. */
    static String format(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
