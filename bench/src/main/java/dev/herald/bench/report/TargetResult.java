package dev.herald.bench.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one server (the raw baseline, or Herald with one backend) measured in one scenario:
 * named figures in the order they should be shown, and the latency histogram for the chart.
 */
public final class TargetResult {

    private final String name;
    private final Map<String, Object> figures = new LinkedHashMap<>();
    private final List<String> commandLine;
    private Histogram latencyMicros;

    public TargetResult(String name, List<String> commandLine) {
        this.name = name;
        this.commandLine = List.copyOf(commandLine);
    }

    public String name() {
        return name;
    }

    /** Adds (or replaces) one figure; numbers, strings and booleans. */
    public TargetResult put(String key, Object value) {
        figures.put(key, value);
        return this;
    }

    /** Adds several figures in their order. */
    public TargetResult putAll(Map<String, Object> more) {
        figures.putAll(more);
        return this;
    }

    public Map<String, Object> figures() {
        return figures;
    }

    /** A figure as a number, or NaN when absent or not a number. */
    public double number(String key) {
        return figures.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** Sets the publish-to-deliver latency histogram (microseconds) and adds its summary as {@code latency_*} figures. */
    public TargetResult latency(Histogram micros) {
        figures.putAll(LatencySummary.of(micros).toMap("latency_"));
        return chart(micros);
    }

    /** Sets the histogram (microseconds) the chart draws, without adding figures. */
    public TargetResult chart(Histogram micros) {
        this.latencyMicros = micros;
        return this;
    }

    /** The latency histogram in microseconds, or null when this scenario measured none. */
    public Histogram latencyMicros() {
        return latencyMicros;
    }

    public List<String> commandLine() {
        return commandLine;
    }

    /** The JSON form: name, figures, command line. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", name);
        map.put("figures", figures);
        map.put("command", String.join(" ", commandLine));
        return map;
    }
}
