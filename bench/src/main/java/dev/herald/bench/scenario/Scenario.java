package dev.herald.bench.scenario;

import dev.herald.bench.BenchContext;
import dev.herald.bench.report.RunReport;

/** One benchmark of issue 6, run against the raw baseline and Herald in one go ({@code Bench} lists them by name). */
public interface Scenario {

    /** Runs it; every server it starts is stopped before it returns. */
    RunReport run(BenchContext context) throws Exception;
}
