package dev.herald.bench.scenario;

import dev.herald.bench.BenchContext;
import dev.herald.bench.report.RunReport;

/** One benchmark of issue 6, run against the raw baseline and Herald in one go. */
public interface Scenario {

    /** The name on the command line and in result file names. */
    String name();

    /** One line for the usage text. */
    String summary();

    /** Runs it; every server it starts is stopped before it returns. */
    RunReport run(BenchContext context) throws Exception;
}
