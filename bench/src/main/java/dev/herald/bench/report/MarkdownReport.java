package dev.herald.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Markdown form of a {@link RunReport}: one table with a column per server and a ratio
 * column per Herald variant against the raw baseline, then the checks and the notes.
 */
public final class MarkdownReport {

    /** The baseline every ratio is taken against. */
    public static final String BASELINE = "raw-netty";

    private MarkdownReport() {
    }

    /** The report as Markdown; {@code chartFile} is linked when the run recorded latencies. */
    public static String render(RunReport report, String chartFile) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(report.scenario()).append(" (").append(report.started()).append(")\n\n");
        md.append("Command: `").append(report.command()).append("`\n\n");
        md.append("Machine: ").append(machineLine(report.machine())).append("\n\n");
        md.append(table(report.targets()));
        if (!report.checks().isEmpty()) {
            md.append("\n| target | requirement | measured | verdict |\n|---|---|---|---|\n");
            for (Check check : report.checks()) {
                md.append("| ").append(check.target()).append(" | ").append(check.requirement()).append(" | ")
                        .append(check.measured()).append(" | ").append(check.verdict()).append(" |\n");
            }
        }
        if (report.targets().stream().anyMatch(t -> t.latencyMicros() != null)) {
            md.append("\n![latency by percentile](").append(chartFile).append(")\n");
        }
        if (!report.notes().isEmpty()) {
            md.append("\nNotes:\n\n");
            report.notes().forEach(note -> md.append("- ").append(note).append('\n'));
        }
        return md.toString();
    }

    /** The figures table: a row per figure, a column per server, then {@code <herald>/raw} ratios. */
    public static String table(List<TargetResult> targets) {
        Set<String> keys = new LinkedHashSet<>();
        targets.forEach(t -> keys.addAll(t.figures().keySet()));
        TargetResult baseline = targets.stream().filter(t -> t.name().equals(BASELINE)).findFirst().orElse(null);
        List<TargetResult> compared = new ArrayList<>();
        if (baseline != null) {
            targets.stream().filter(t -> t != baseline).forEach(compared::add);
        }
        StringBuilder md = new StringBuilder("| figure |");
        targets.forEach(t -> md.append(' ').append(t.name()).append(" |"));
        compared.forEach(t -> md.append(' ').append(t.name()).append(" / raw |"));
        md.append("\n|---|");
        md.append("---:|".repeat(targets.size() + compared.size()));
        md.append('\n');
        for (String key : keys) {
            md.append("| ").append(key).append(" |");
            for (TargetResult target : targets) {
                md.append(' ').append(cell(target.figures().get(key))).append(" |");
            }
            for (TargetResult target : compared) {
                md.append(' ').append(ratio(target.number(key), baseline.number(key))).append(" |");
            }
            md.append('\n');
        }
        return md.toString();
    }

    static String ratio(double value, double base) {
        if (Double.isNaN(value) || Double.isNaN(base) || base == 0) {
            return "";
        }
        return String.format(java.util.Locale.ROOT, "%.2fx", value / base);
    }

    private static String cell(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Number n) {
            return Check.format(n.doubleValue());
        }
        return value.toString().replace("|", "\\|");
    }

    private static String machineLine(Map<String, Object> machine) {
        List<String> parts = new ArrayList<>();
        machine.forEach((k, v) -> parts.add(k + " " + v));
        return String.join("; ", parts);
    }
}
