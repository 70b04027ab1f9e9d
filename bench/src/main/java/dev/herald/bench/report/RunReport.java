package dev.herald.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one scenario run found: the machine, the options, one {@link TargetResult} per
 * server, the checks against issue 6's targets, and notes. Written as
 * {@code <scenario>-<timestamp>.json}, {@code .md} and {@code .svg}.
 */
public final class RunReport {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final String scenario;
    private final Instant started;
    private final String command;
    private final Map<String, Object> options;
    private final Map<String, Object> machine;
    private final List<TargetResult> targets = new ArrayList<>();
    private final List<Check> checks = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private String chartTitle = "publish-to-deliver latency by percentile";

    public RunReport(String scenario, Instant started, String command, Map<String, Object> options, Map<String, Object> machine) {
        this.scenario = scenario;
        this.started = started;
        this.command = command;
        this.options = options;
        this.machine = machine;
    }

    public String scenario() {
        return scenario;
    }

    public void add(TargetResult target) {
        targets.add(target);
    }

    public void add(Check check) {
        checks.add(check);
    }

    /** What the latency histograms of this scenario measure (the chart's title). */
    public void chartTitle(String title) {
        this.chartTitle = title;
    }

    public void note(String note) {
        notes.add(note);
    }

    public List<TargetResult> targets() {
        return targets;
    }

    public List<Check> checks() {
        return checks;
    }

    public List<String> notes() {
        return notes;
    }

    /** The result of the server called {@code name}, or null. */
    public TargetResult target(String name) {
        return targets.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }

    public String command() {
        return command;
    }

    public Map<String, Object> options() {
        return options;
    }

    public Map<String, Object> machine() {
        return machine;
    }

    public Instant started() {
        return started;
    }

    /** The JSON document. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("scenario", scenario);
        map.put("started", started.toString());
        map.put("command", command);
        map.put("options", options);
        map.put("machine", machine);
        map.put("targets", targets.stream().map(TargetResult::toMap).toList());
        map.put("checks", checks.stream().map(Check::toMap).toList());
        map.put("notes", notes);
        return map;
    }

    /** Writes the JSON, Markdown and SVG files into {@code directory}; returns the JSON path. */
    public Path write(Path directory) throws IOException {
        Files.createDirectories(directory);
        String base = scenario + "-" + STAMP.format(started);
        Path json = directory.resolve(base + ".json");
        Files.writeString(json, JsonWriter.write(toMap()), StandardCharsets.UTF_8);
        Files.writeString(directory.resolve(base + ".md"), MarkdownReport.render(this, base + ".svg"), StandardCharsets.UTF_8);
        Files.writeString(directory.resolve(base + ".svg"), LatencyChart.render(scenario + ": " + chartTitle, this), StandardCharsets.UTF_8);
        return json;
    }
}
