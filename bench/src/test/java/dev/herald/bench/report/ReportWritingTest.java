package dev.herald.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWritingTest {

    @Test
    void writesTheRatioOfHeraldToTheRawBaseline() {
        TargetResult raw = new TargetResult("raw-netty", List.of()).put("server_cpu_us_per_delivery", 10.0).put("note", "x");
        TargetResult herald = new TargetResult("herald-memory", List.of()).put("server_cpu_us_per_delivery", 25.0).put("note", "y");
        String table = MarkdownReport.table(List.of(raw, herald));
        assertTrue(table.contains("| figure | raw-netty | herald-memory | herald-memory / raw |"), table);
        assertTrue(table.contains("| server_cpu_us_per_delivery | 10 | 25 | 2.50x |"), table);
        assertTrue(table.contains("| note | x | y |  |"), table);
    }

    @Test
    void decidesChecksAndLeavesMissingFiguresUndecided() {
        assertEquals("pass", Check.atMost("h", "r", 1.2, 1.5, "x").verdict());
        assertEquals("FAIL", Check.atMost("h", "r", 2.0, 1.5, "x").verdict());
        assertEquals("pass", Check.atLeast("h", "r", 6000, 5000, "/s").verdict());
        Check undecided = Check.atMost("h", "r", Double.NaN, 1.5, "x");
        assertNull(undecided.pass());
        assertEquals("n/a", undecided.verdict());
    }

    @Test
    void writesJsonWithEscapesAndWithoutNonFiniteNumbers() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("text", "a \"quoted\"\nline");
        map.put("nan", Double.NaN);
        map.put("ratio", 1.23456789);
        map.put("list", List.of(1, true));
        String json = JsonWriter.write(map);
        assertTrue(json.contains("\"text\": \"a \\\"quoted\\\"\\u000aline\""), json);
        assertTrue(json.contains("\"nan\": null"), json);
        assertTrue(json.contains("\"ratio\": 1.2346"), json);
        assertTrue(json.contains("\"list\": [\n"), json);
    }

    @Test
    void writesJsonMarkdownAndSvgNamedAfterScenarioAndTime(@TempDir Path dir) throws Exception {
        RunReport report = new RunReport("fanout", Instant.parse("2026-11-22T09:30:00Z"), "bench/run fanout --quick",
                Map.of("quick", true), Map.of("cpus", 2));
        Histogram micros = new Histogram(3);
        micros.recordValue(1500);
        report.add(new TargetResult("raw-netty", List.of("java")).latency(micros));
        report.add(Check.atMost("herald-memory", "cpu", 1.0, 1.5, "x"));
        report.note("a note");
        Path json = report.write(dir);

        assertEquals("fanout-20261122-093000.json", json.getFileName().toString());
        assertTrue(Files.readString(json).contains("\"latency_p99_ms\": 1.5"));
        String md = Files.readString(dir.resolve("fanout-20261122-093000.md"));
        assertTrue(md.contains("![latency by percentile](fanout-20261122-093000.svg)"), md);
        assertTrue(md.contains("- a note"), md);
        assertTrue(Files.readString(dir.resolve("fanout-20261122-093000.svg")).startsWith("<svg"));
    }
}
