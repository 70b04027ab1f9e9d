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
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * {@code fanout}: {@code --connections} subscribers on one channel; one event at a time is
 * published over HTTP, and the next only after the previous reached every subscriber (at most
 * {@code --rate} a second, for {@code --seconds}). Reports server CPU per delivered event, the
 * publish-to-deliver latency of every delivery, and the time from the publish returning to the
 * last subscriber receiving it.
 */
public final class FanoutScenario implements Scenario {

    static final double CPU_RATIO_LIMIT = 1.5;
    static final double REACH_LAST_LIMIT_MS = 150;

    @Override
    public RunReport run(BenchContext context) throws Exception {
        Options options = context.options();
        int connections = options.integer("connections", 10_000, 500);
        double rate = options.decimal("rate", 10, 10);
        int seconds = options.integer("seconds", 30, 10);
        int warmUp = options.integer("warmup-events", 20, 5);
        RunReport report = context.newReport();
        List<TargetResult> results = Targets.measureEach(context, report, Targets.chosen(context, Targets.RAW + "," + Targets.HERALD_MEMORY),
                server -> measure(context, server, connections, rate, seconds, warmUp));
        TargetResult raw = report.target(Targets.RAW);
        for (TargetResult herald : results) {
            if (herald == raw) {
                continue;
            }
            double ratio = raw == null ? Double.NaN : herald.number("server_cpu_us_per_delivery") / raw.number("server_cpu_us_per_delivery");
            report.add(Check.atMost(herald.name(), "server CPU per delivered event <= 1.5x raw", ratio, CPU_RATIO_LIMIT, "x raw"));
            report.add(Check.atMost(herald.name(), "one event reaches the last of " + connections + " subscribers within 150 ms of the publish returning (max over events)",
                    herald.number("reach_last_max_ms"), REACH_LAST_LIMIT_MS, "ms"));
        }
        report.note("Closed loop: each event is published after the previous one reached every subscriber (or 10 s passed), at most --rate per second; "
                + warmUp + " warm-up events are not measured.");
        report.note("Latency = receive time minus the publish time the harness put in the event's data (System.nanoTime, same JVM).");
        report.note("reach_last = last subscriber's receipt minus the publish's HTTP answer (0 when the server answers only after delivering to all); "
                + "publish_to_last = the same from the moment the publish was sent.");
        return report;
    }

    private TargetResult measure(BenchContext context, ServerUnderTest server, int connections, double rate, int seconds, int warmUp) throws Exception {
        String channel = LiveDelivery.channelNames(context, "f", 1).get(0);
        TargetResult result = new TargetResult(server.name(), server.commandLine());
        try (LiveDelivery fleet = new LiveDelivery(context, server, connections, List.of(channel), 1)) {
            LoadClient.ConnectResult connected = fleet.connect();
            int subscribed = connected.subscribed();
            int maxEvents = (int) Math.ceil(rate * seconds) + warmUp + 1;
            ReachTracker reach = new ReachTracker(maxEvents);
            fleet.client().listener((subscriber, event, nanos) -> reach.record(event.seq(), nanos));
            HttpPublisher publisher = fleet.publisher();

            BenchContext.log(server.name() + ": " + warmUp + " warm-up events");
            // At most 60 s of warm-up: fewer than --warmup-events may go out, and the sequences count those that did.
            int warmedUp = publishClosedLoop(publisher, channel, reach, subscribed, warmUp, rate, Duration.ofSeconds(60), null, null);
            fleet.client().latency().reset();
            long deliveredBefore = fleet.client().delivered();

            BenchContext.log(server.name() + ": publishing for " + seconds + " s");
            Histogram reachLast = new Histogram(3);
            Histogram publishToLast = new Histogram(3);
            CpuWindow cpu = CpuWindow.start(server.pid(), server::helperPids);
            int events = publishClosedLoop(publisher, channel, reach, subscribed, maxEvents - warmUp - 1, rate, Duration.ofSeconds(seconds),
                    reachLast, publishToLast);
            CpuWindow.Usage usage = cpu.stop();
            long deliveries = fleet.client().delivered() - deliveredBefore;
            fleet.awaitDelivered(ChannelsScenario.LATE_PATIENCE);
            SequenceTotals totals = fleet.totals();
            JvmMemory.Snapshot memory = JvmMemory.measure(server.pid());

            result.put("subscribers", subscribed);
            result.put("connect_failures", connected.failed());
            result.put("connect_s", connected.seconds());
            result.put("events_published", events);
            result.put("publish_failures", publisher.failed());
            if (publisher.failed() > 0) {
                result.put("publish_failure_kinds", publisher.failures().toString());
            }
            result.put("deliveries_measured", deliveries);
            result.put("deliveries_per_s", deliveries / Math.max(1e-9, usage.wallSeconds()));
            Targets.addCpu(result, usage, deliveries);
            result.putAll(totals.toMap());
            LatencySummary reachSummary = LatencySummary.of(reachLast);
            result.put("reach_last_p50_ms", reachSummary.p50Ms());
            result.put("reach_last_p99_ms", reachSummary.p99Ms());
            result.put("reach_last_max_ms", reachSummary.maxMs());
            LatencySummary sentSummary = LatencySummary.of(publishToLast);
            result.put("publish_to_last_p50_ms", sentSummary.p50Ms());
            result.put("publish_to_last_p99_ms", sentSummary.p99Ms());
            result.put("publish_to_last_max_ms", sentSummary.maxMs());
            result.put("events_not_reaching_all", reach.incomplete(subscribed, events + warmedUp));
            result.latency(fleet.client().latency().snapshot());
            Targets.addMemory(result, "", memory);
            Targets.addServerCounters(result, server);
        }
        return result;
    }

    /**
     * Publishes up to {@code count} events one at a time for at most {@code duration}; after each,
     * waits (up to 10 s) until all {@code subscribers} have it and records, when given, the time
     * from the publish returning to the last receipt in {@code reachLast} (0 when the server
     * answered only after delivering to everyone) and from the publish being sent in
     * {@code publishToLast}. Returns the number published.
     */
    private static int publishClosedLoop(HttpPublisher publisher, String channel, ReachTracker reach, int subscribers, int count,
                                         double rate, Duration duration, Histogram reachLast, Histogram publishToLast) throws InterruptedException {
        long periodNanos = (long) (1e9 / rate);
        long end = System.nanoTime() + duration.toNanos();
        int published = 0;
        for (int i = 0; i < count && System.nanoTime() < end; i++) {
            long start = System.nanoTime();
            HttpPublisher.Published answer = publisher.publishAndWait(channel, start);
            if (answer.ok()) {
                published++;
                long waitEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (reach.count(answer.seq()) < subscribers && System.nanoTime() < waitEnd) {
                    TimeUnit.MICROSECONDS.sleep(200);
                }
                if (reachLast != null && reach.count(answer.seq()) >= subscribers) {
                    reachLast.recordValue(Math.max(0, (reach.last(answer.seq()) - answer.returnedNanos()) / 1000));
                    publishToLast.recordValue(Math.max(0, (reach.last(answer.seq()) - start) / 1000));
                }
            }
            long wait = start + periodNanos - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
        }
        return published;
    }
}
