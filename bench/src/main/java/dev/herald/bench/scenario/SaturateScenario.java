package dev.herald.bench.scenario;

import dev.herald.bench.BenchContext;
import dev.herald.bench.Options;
import dev.herald.bench.client.LoadClient;
import dev.herald.bench.report.RunReport;
import dev.herald.bench.report.TargetResult;
import dev.herald.bench.server.ServerUnderTest;
import dev.herald.bench.system.JvmMemory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code saturate}: the channels set-up, with the publish rate raised step by step (from
 * {@code --rate}, times {@code --step-factor}, {@code --seconds} per step, at most
 * {@code --max-steps}) until the p99 publish-to-deliver latency passes 100 ms, any event is lost,
 * repeated or reordered, a publish fails, or the harness cannot publish at the asked rate.
 * Reports the highest clean rate per server.
 */
public final class SaturateScenario implements Scenario {

    static final double P99_LIMIT_MS = 100;
    /** Below this share of the asked rate the harness itself is the limit, not the server. */
    static final double PUBLISHER_KEEPS_UP = 0.9;

    @Override
    public RunReport run(BenchContext context) throws Exception {
        Options options = context.options();
        int connections = options.integer("connections", 10_000, 500);
        int channels = options.integer("channels", 1_000, 50);
        double rate = options.decimal("rate", 50, 50);
        double factor = options.decimal("step-factor", 1.5, 2.0);
        int seconds = options.integer("seconds", 15, 5);
        int maxSteps = options.integer("max-steps", 16, 6);
        RunReport report = context.newReport();
        Targets.measureEach(context, report, Targets.chosen(context, Targets.RAW + "," + Targets.HERALD_MEMORY),
                server -> {
                    try (LiveDelivery fleet = new LiveDelivery(context, server, connections, LiveDelivery.channelNames(context, "r", channels),
                            ChannelsScenario.publishConcurrency(context))) {
                        return climb(fleet, rate, factor, seconds, maxSteps);
                    }
                });
        report.note("A step is clean when its p99 publish-to-deliver is <= 100 ms, every event arrived once and in order within 10 s, "
                + "every publish was accepted and the harness published at least 90% of the asked rate. The figures and the chart are those of the last clean step "
                + "(or of the first step, when none was clean: see figures_from_clean_step).");
        report.note("When the raw baseline stops with `publisher_behind`, the harness's one core (HTTP publishing plus receiving) is the limit, not the server.");
        return report;
    }

    private static TargetResult climb(LiveDelivery fleet, double startRate, double factor, int seconds, int maxSteps) throws Exception {
        ServerUnderTest server = fleet.server();
        TargetResult result = new TargetResult(server.name(), server.commandLine());
        LoadClient.ConnectResult connected = fleet.connect();
        ChannelsScenario.warmUp(fleet, startRate, ChannelsScenario.warmUpSeconds(seconds * 2));
        result.put("subscribers", connected.subscribed());
        result.put("connect_failures", connected.failed());
        List<Map<String, Object>> steps = new ArrayList<>();
        ChannelsScenario.Phase lastClean = null;
        ChannelsScenario.Phase firstFailed = null;
        String stop = "max_steps";
        double rate = startRate;
        for (int step = 0; step < maxSteps; step++, rate *= factor) {
            ChannelsScenario.Phase phase = ChannelsScenario.runPhase(fleet, rate, seconds);
            double p99 = phase.latencyMicros().getValueAtPercentile(99) / 1000.0;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("rate", rate);
            row.put("achieved", phase.achievedRate());
            row.put("p99_ms", p99);
            row.put("lost", phase.totals().lost());
            row.put("duplicates", phase.totals().duplicates());
            row.put("publish_failures", phase.publishFailures());
            row.put("publisher_max_lag_ms", phase.publisherMaxLagMs());
            row.put("server_core_share", phase.usage().serverSeconds() / Math.max(1e-9, phase.usage().wallSeconds()));
            row.put("disturbed", phase.usage().disturbed());
            steps.add(row);
            BenchContext.log(String.format("%s: %.0f/s asked, %.0f/s published, p99 %.1f ms, %d lost", server.name(), rate, phase.achievedRate(), p99,
                    phase.totals().lost()));
            if (phase.achievedRate() < PUBLISHER_KEEPS_UP * rate) {
                stop = "publisher_behind";
            } else if (!phase.clean()) {
                stop = "loss_or_failure";
            } else if (p99 > P99_LIMIT_MS) {
                stop = "p99_over_100ms";
            } else {
                lastClean = phase;
                continue;
            }
            firstFailed = phase;
            break;
        }
        result.put("max_clean_rate", lastClean == null ? 0.0 : lastClean.askedRate());
        result.put("stopped_by", stop);
        result.put("steps", steps.size());
        // The figures of the last clean step; when even the first step failed, those of that step.
        ChannelsScenario.Phase shown = lastClean != null ? lastClean : firstFailed;
        if (shown != null) {
            result.put("figures_from_step_at_rate", shown.askedRate());
            result.put("figures_from_clean_step", shown == lastClean);
            ChannelsScenario.addPhase(result, shown);
        }
        Targets.addMemory(result, "", JvmMemory.measure(server.pid()));
        Targets.addServerCounters(result, server);
        result.put("step_table", steps.toString());
        return result;
    }
}
