package dev.herald.bench.scenario;

import dev.herald.bench.BenchContext;
import dev.herald.bench.Options;
import dev.herald.bench.client.LoadClient;
import dev.herald.bench.client.SequenceTotals;
import dev.herald.bench.client.Subscriber;
import dev.herald.bench.report.Check;
import dev.herald.bench.report.HeapTrend;
import dev.herald.bench.report.RunReport;
import dev.herald.bench.report.TargetResult;
import dev.herald.bench.server.ServerUnderTest;
import dev.herald.bench.system.CpuWindow;
import dev.herald.bench.system.JvmMemory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code soak}: {@code --connections} subscribers over {@code --channels} channels, {@code --rate}
 * events a second for {@code --seconds}, while {@code --churn} connections a second disconnect and
 * reconnect resuming from their last sequence. The server's live heap (after a full GC) and RSS are
 * sampled every {@code --sample-seconds}; the soak passes when the heap's trend stays flat
 * ({@link HeapTrend}) and no event is lost, repeated or reordered across the churn.
 */
public final class SoakScenario implements Scenario {

    @Override
    public RunReport run(BenchContext context) throws Exception {
        Options options = context.options();
        int connections = options.integer("connections", 5_000, 300);
        int channels = options.integer("channels", 500, 30);
        double rate = options.decimal("rate", 100, 20);
        int seconds = options.integer("seconds", 600, 30);
        int churn = options.integer("churn", 20, 5);
        int sampleSeconds = options.integer("sample-seconds", 60, 10);
        RunReport report = context.newReport();
        report.chartTitle("publish-to-deliver latency during the soak (replays after a reconnect included), by percentile");
        List<TargetResult> results = Targets.measureEach(context, report, Targets.chosen(context, Targets.HERALD_MEMORY),
                server -> {
                    try (LiveDelivery fleet = new LiveDelivery(context, server, connections, LiveDelivery.channelNames(context, "k", channels),
                            ChannelsScenario.publishConcurrency(context))) {
                        return measure(fleet, rate, seconds, churn, sampleSeconds);
                    }
                });
        for (TargetResult result : results) {
            if (result.name().equals(Targets.RAW)) {
                continue;
            }
            report.add(new Check(result.name(), "live heap flat over the soak (trend growth <= max(10% of the first sample, 16 MiB))",
                    String.format(Locale.ROOT, "%.1f MiB trend growth, %.1f allowed", result.number("heap_trend_growth_mib"),
                            result.number("heap_growth_allowed_mib")),
                    Boolean.TRUE.equals(result.figures().get("heap_flat"))));
            report.add(new Check(result.name(), "no loss, duplicate or reordering across the churn",
                    result.figures().get("events_lost") + " lost, " + result.figures().get("duplicates") + " dup, "
                            + result.figures().get("out_of_order") + " reordered",
                    result.number("events_lost") == 0 && result.number("duplicates") == 0 && result.number("out_of_order") == 0));
        }
        report.note("Churn: every second the next " + churn + " connections (round-robin over the fleet) close with 1000 and reconnect at once with "
                + "`?since=<last seq>`; events published meanwhile must come back by replay.");
        report.note("Heap samples are live heap after `jcmd GC.run`; the first is taken after a warm-up without churn and then "
                + churnWarmUpSeconds(seconds) + " s of churn, so class loading, JIT caches and what a steady churn keeps in flight do not count "
                + "as growth. heap_samples lists t=<s>:<heap MiB>/<RSS MiB>.");
        return report;
    }

    private static TargetResult measure(LiveDelivery fleet, double rate, int seconds, int churnPerSecond, int sampleSeconds) throws Exception {
        ServerUnderTest server = fleet.server();
        TargetResult result = new TargetResult(server.name(), server.commandLine());
        LoadClient.ConnectResult connected = fleet.connect();
        ChannelsScenario.warmUp(fleet, rate, ChannelsScenario.warmUpSeconds(seconds));
        fleet.client().latency().reset();

        Churn churn = new Churn(fleet, churnPerSecond);
        List<HeapTrend.Sample> samples = new ArrayList<>();
        Thread churner = new Thread(churn, "soak-churn");
        churner.start();
        CpuWindow cpu;
        long deliveredBefore;
        try {
            // The heap a steady churn keeps is not growth: Grizzly holds each closed keep-alive connection
            // until its 30 s timeout, and each HTTP worker thread caches recycled requests that still
            // point at the last upgrade it served (bounded by the 200 threads; docs/performance.md).
            int churnWarmUp = churnWarmUpSeconds(seconds);
            BenchContext.log(server.name() + ": churning for " + churnWarmUp + " s before the first heap sample");
            fleet.publisher().publishAtRate(fleet.channels(), rate, Duration.ofSeconds(churnWarmUp));
            cpu = CpuWindow.start(server.pid(), server::helperPids);
            deliveredBefore = fleet.client().delivered();
            long start = System.nanoTime();
            samples.add(sample(server, start));
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(seconds)) {
                long left = TimeUnit.SECONDS.toNanos(seconds) - (System.nanoTime() - start);
                long slice = Math.min(TimeUnit.SECONDS.toNanos(sampleSeconds), left);
                fleet.publisher().publishAtRate(fleet.channels(), rate, Duration.ofNanos(slice));
                samples.add(sample(server, start));
                BenchContext.log(String.format(Locale.ROOT, "%s: soak t=%.0fs heap %.1f MiB, %d reconnects so far",
                        server.name(), samples.get(samples.size() - 1).seconds(), samples.get(samples.size() - 1).heapMib(), churn.reconnects.get()));
            }
        } finally {
            churn.stop.set(true);
            churner.join(TimeUnit.SECONDS.toMillis(90));
        }
        boolean complete = fleet.awaitDelivered(Duration.ofSeconds(30));
        CpuWindow.Usage usage = cpu.stop();
        long deliveries = fleet.client().delivered() - deliveredBefore;

        HeapTrend trend = new HeapTrend(samples);
        List<Subscriber> back = fleet.subscribers().stream().filter(Subscriber::subscribedNow).toList();
        List<Subscriber> notBack = fleet.subscribers().stream().filter(s -> !s.subscribedNow()).toList();
        result.put("subscribers", connected.subscribed());
        result.put("soak_s", seconds);
        result.put("events_published", fleet.publisher().published());
        result.put("publish_failures", fleet.publisher().failed());
        result.put("reconnects", churn.reconnects.get());
        result.put("reconnect_failures", churn.failures.get());
        if (!churn.problems.isEmpty()) {
            result.put("reconnect_problem_examples", String.join(" / ", churn.problems));
        }
        result.put("deliveries_measured", deliveries);
        result.put("all_delivered_within_30s", complete);
        Targets.addCpu(result, usage, deliveries);
        result.putAll(SequenceTotals.of(back, fleet.publisher()::head).toMap());
        result.put("clients_not_back", notBack.size());
        result.put("heap_first_mib", samples.get(0).heapMib());
        result.put("heap_last_mib", samples.get(samples.size() - 1).heapMib());
        result.put("heap_slope_mib_per_min", trend.slopeMibPerMinute());
        result.put("heap_trend_growth_mib", trend.trendGrowthMib());
        result.put("heap_growth_allowed_mib", trend.allowedGrowthMib());
        result.put("heap_flat", trend.flat());
        result.put("rss_first_mib", samples.get(0).rssMib());
        result.put("rss_last_mib", samples.get(samples.size() - 1).rssMib());
        result.put("heap_samples", trend.describe());
        result.latency(fleet.client().latency().snapshot());
        Targets.addServerCounters(result, server);
        return result;
    }

    /** Churn before the first heap sample: a minute, or a fifth of a shorter soak. */
    static int churnWarmUpSeconds(int seconds) {
        return Math.max(5, Math.min(60, seconds / 5));
    }

    private static HeapTrend.Sample sample(ServerUnderTest server, long start) {
        JvmMemory.Snapshot memory = JvmMemory.measure(server.pid());
        return new HeapTrend.Sample((System.nanoTime() - start) / 1e9, memory.heapUsedBytes() / 1048576.0, memory.residentBytes() / 1048576.0);
    }

    /** Closes and reconnects the next {@code perSecond} subscribers every second until stopped. */
    private static final class Churn implements Runnable {

        private final LiveDelivery fleet;
        private final int perSecond;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong reconnects = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final List<String> problems = new CopyOnWriteArrayList<>();
        private int next;

        Churn(LiveDelivery fleet, int perSecond) {
            this.fleet = fleet;
            this.perSecond = perSecond;
        }

        @Override
        public void run() {
            List<Subscriber> all = fleet.subscribers();
            try {
                while (!stop.get() && perSecond > 0 && !all.isEmpty()) {
                    long due = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                    List<Subscriber> batch = new ArrayList<>(perSecond);
                    for (int i = 0; i < perSecond && i < all.size(); i++) {
                        Subscriber subscriber = all.get(next);
                        next = (next + 1) % all.size();
                        if (subscriber.checker() != null) {
                            batch.add(subscriber);
                        }
                    }
                    fleet.client().disconnect(batch, Duration.ofSeconds(10));
                    LoadClient.ConnectResult result = fleet.client().connect(batch, LiveDelivery.CONNECT_WINDOW, Duration.ofSeconds(60));
                    reconnects.addAndGet(result.subscribed());
                    failures.addAndGet(result.failed());
                    if (problems.size() < 5) {
                        problems.addAll(result.sampleProblems());
                    }
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
