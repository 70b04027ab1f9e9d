package dev.herald.bench.scenario;

import dev.herald.bench.BenchContext;
import dev.herald.bench.Options;
import dev.herald.bench.client.HttpPublisher;
import dev.herald.bench.client.LoadClient;
import dev.herald.bench.client.SequenceTotals;
import dev.herald.bench.report.Check;
import dev.herald.bench.report.LatencySummary;
import dev.herald.bench.report.RunReport;
import dev.herald.bench.report.TargetResult;
import dev.herald.bench.server.ServerUnderTest;
import dev.herald.bench.system.CpuWindow;
import dev.herald.bench.system.JvmMemory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * {@code channels}: {@code --connections} subscribers spread over {@code --channels} channels,
 * {@code --rate} events a second published over HTTP round-robin over the channels for
 * {@code --seconds} (open loop). Reports publish-to-deliver latency, loss/duplicates/order and
 * server CPU per delivery, for the raw baseline, Herald with the in-memory broker, and Herald
 * with Redis and PostgreSQL.
 */
public final class ChannelsScenario implements Scenario {

    /** How long events that missed the 10 s measuring window may still arrive before they count as lost. */
    static final Duration LATE_PATIENCE = Duration.ofSeconds(60);

    static final Map<String, Double> P99_LIMIT_MS = Map.of(Targets.HERALD_MEMORY, 25.0, Targets.HERALD_REDIS_POSTGRES, 50.0);

    @Override
    public RunReport run(BenchContext context) throws Exception {
        Options options = context.options();
        int connections = options.integer("connections", 10_000, 500);
        int channels = options.integer("channels", 1_000, 50);
        double rate = options.decimal("rate", 1_000, 100);
        int seconds = options.integer("seconds", 60, 10);
        // Longer than the default to measure with HotSpot done compiling (JIT was 11% of the server's CPU in a profile).
        int warmUp = options.integer("warmup-seconds", warmUpSeconds(seconds), warmUpSeconds(seconds));
        RunReport report = context.newReport();
        List<TargetResult> results = Targets.measureEach(context, report,
                Targets.chosen(context, Targets.RAW + "," + Targets.HERALD_MEMORY + "," + Targets.HERALD_REDIS_POSTGRES),
                server -> {
                    try (LiveDelivery fleet = new LiveDelivery(context, server, connections, LiveDelivery.channelNames(context, "c", channels),
                            publishConcurrency(context))) {
                        return measureSteady(fleet, rate, seconds, warmUp);
                    }
                });
        for (TargetResult result : results) {
            Double limit = P99_LIMIT_MS.get(result.name());
            if (limit != null) {
                report.add(Check.atMost(result.name(), "p99 publish-to-deliver <= " + limit.intValue() + " ms at " + (int) rate + " events/s",
                        result.number("latency_p99_ms"), limit, "ms"));
            }
            report.add(new Check(result.name(), "no loss, duplicate or reordering", result.figures().get("events_lost") + " lost, "
                    + result.figures().get("duplicates") + " dup, " + result.figures().get("out_of_order") + " reordered",
                    result.number("events_lost") == 0 && result.number("duplicates") == 0 && result.number("out_of_order") == 0));
        }
        report.note("Open loop: event i is due at start + i/rate and carries that due time, so a publisher that falls behind shows as latency.");
        report.note("Publishes go over HTTP from the harness (at most " + publishConcurrency(context) + " in flight); latency includes the HTTP publish.");
        return report;
    }

    static int publishConcurrency(BenchContext context) {
        return context.options().integer("publish-concurrency", 128, 128);
    }

    static int warmUpSeconds(int seconds) {
        return Math.max(2, Math.min(10, seconds / 5));
    }

    /** What one phase of publishing at a fixed rate measured. */
    record Phase(double askedRate, double achievedRate, long published, long publishFailures, Map<String, Long> failureKinds,
                 double publisherMaxLagMs, long deliveries, boolean complete,
                 CpuWindow.Usage usage, SequenceTotals totals, Histogram latencyMicros, LatencySummary http) {

        /** True when every event arrived exactly once and in order, and every publish was accepted. */
        boolean clean() {
            return complete && totals.clean() && publishFailures == 0;
        }
    }

    /** Publishes at {@code rate} for {@code seconds} without measuring, so the JIT has compiled the hot paths. */
    static void warmUp(LiveDelivery fleet, double rate, int seconds) throws InterruptedException {
        BenchContext.log(fleet.server().name() + ": warming up for " + seconds + " s at " + rate + " events/s");
        fleet.publisher().publishAtRate(fleet.channels(), rate, Duration.ofSeconds(seconds));
        fleet.awaitDelivered(Duration.ofSeconds(10));
    }

    /** Publishes at {@code rate} for {@code seconds} and measures until every event arrived (or 10 s after the last publish). */
    static Phase runPhase(LiveDelivery fleet, double rate, int seconds) throws InterruptedException {
        ServerUnderTest server = fleet.server();
        HttpPublisher publisher = fleet.publisher();
        fleet.client().latency().reset();
        publisher.roundTrips().reset();
        long deliveredBefore = fleet.client().delivered();
        long publishedBefore = publisher.published();
        long failedBefore = publisher.failed();

        BenchContext.log(server.name() + ": publishing " + rate + " events/s for " + seconds + " s");
        CpuWindow cpu = CpuWindow.start(server.pid(), server::helperPids);
        long start = System.nanoTime();
        publisher.publishAtRate(fleet.channels(), rate, Duration.ofSeconds(seconds));
        double publishSeconds = (System.nanoTime() - start) / 1e9;
        boolean complete = fleet.awaitDelivered(Duration.ofSeconds(10));
        CpuWindow.Usage usage = cpu.stop();
        long deliveries = fleet.client().delivered() - deliveredBefore;
        if (!complete) {
            // Late is not lost: give stragglers a while longer before counting what never came.
            BenchContext.log(server.name() + ": not everything arrived within 10 s; waiting up to " + LATE_PATIENCE.toSeconds() + " s more");
            fleet.awaitDelivered(LATE_PATIENCE);
        }
        long published = publisher.published() - publishedBefore;
        return new Phase(rate, published / publishSeconds, published, publisher.failed() - failedBefore, publisher.failures(),
                publisher.lastMaxLagNanos() / 1e6, deliveries, complete, usage, fleet.totals(),
                fleet.client().latency().snapshot(), LatencySummary.of(publisher.roundTrips().snapshot()));
    }

    /** Adds a phase's figures to {@code result}. */
    static void addPhase(TargetResult result, Phase phase) {
        result.put("events_published", phase.published());
        result.put("publish_failures", phase.publishFailures());
        if (!phase.failureKinds().isEmpty()) {
            result.put("publish_failure_kinds", phase.failureKinds().toString());
        }
        result.put("publish_rate_achieved", phase.achievedRate());
        result.put("publisher_max_lag_ms", phase.publisherMaxLagMs());
        result.put("deliveries_measured", phase.deliveries());
        result.put("all_delivered_within_10s", phase.complete());
        Targets.addCpu(result, phase.usage(), phase.deliveries());
        result.putAll(phase.totals().toMap());
        result.put("publish_http_p50_ms", phase.http().p50Ms());
        result.put("publish_http_p99_ms", phase.http().p99Ms());
        result.latency(phase.latencyMicros());
    }

    /** Connects the fleet, warms up, then measures one phase at {@code rate} for {@code seconds}. */
    static TargetResult measureSteady(LiveDelivery fleet, double rate, int seconds, int warmUpSeconds) throws Exception {
        ServerUnderTest server = fleet.server();
        TargetResult result = new TargetResult(server.name(), server.commandLine());
        LoadClient.ConnectResult connected = fleet.connect();
        warmUp(fleet, rate, warmUpSeconds);
        Phase phase = runPhase(fleet, rate, seconds);
        JvmMemory.Snapshot memory = JvmMemory.measure(server.pid());
        result.put("subscribers", connected.subscribed());
        result.put("connect_failures", connected.failed());
        result.put("connect_s", connected.seconds());
        addPhase(result, phase);
        Targets.addMemory(result, "", memory);
        Targets.addServerCounters(result, server);
        return result;
    }
}
