package dev.herald.bench.scenario;

import dev.herald.bench.BenchContext;
import dev.herald.bench.Options;
import dev.herald.bench.client.HttpPublisher;
import dev.herald.bench.report.Check;
import dev.herald.bench.report.LatencySummary;
import dev.herald.bench.report.RunReport;
import dev.herald.bench.report.TargetResult;
import dev.herald.bench.server.ServerUnderTest;
import dev.herald.bench.system.CpuWindow;
import dev.herald.bench.system.JvmMemory;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code publish}: durable HTTP publishing into PostgreSQL with nobody subscribed. Single
 * publishes ({@code POST /api/channels/{channel}/events}) with {@code --publish-concurrency} in
 * flight for {@code --seconds}, then batches ({@code POST /api/events}, {@code --batch-size}
 * events each, {@code --batch-concurrency} in flight), skipped with a clear line when the server
 * answers 404. Afterwards every channel's stored head is read back and compared with what the
 * publisher was answered. The raw baseline stores nothing: its row is the machine's HTTP limit.
 */
public final class PublishScenario implements Scenario {

    static final double SINGLE_LIMIT = 5_000;
    static final double BATCH_LIMIT = 30_000;
    /** Issue 6: p99 publish latency at most 20 ms at half the single-publish rate. */
    static final double HALF_LOAD_P99_LIMIT_MS = 20;
    static final String BATCH_UNAVAILABLE = "endpoint not available (404)";

    @Override
    public RunReport run(BenchContext context) throws Exception {
        Options options = context.options();
        int channels = options.integer("channels", 100, 10);
        int seconds = options.integer("seconds", 30, 10);
        int concurrency = ChannelsScenario.publishConcurrency(context);
        int batchSize = options.integer("batch-size", 100, 100);
        int batchConcurrency = options.integer("batch-concurrency", 4, 4);
        RunReport report = context.newReport();
        report.chartTitle("HTTP round trip of single publishes, by percentile");
        List<TargetResult> results = Targets.measureEach(context, report, Targets.chosen(context, Targets.RAW + "," + Targets.HERALD_POSTGRES),
                server -> measure(context, server, channels, seconds, concurrency, batchSize, batchConcurrency));
        for (TargetResult result : results) {
            if (result.name().equals(Targets.RAW)) {
                continue;
            }
            report.add(Check.atLeast(result.name(), "durable single HTTP publishes >= 5,000/s", result.number("single_publishes_per_s"), SINGLE_LIMIT, "/s"));
            if (BATCH_UNAVAILABLE.equals(result.figures().get("batch"))) {
                report.add(new Check(result.name(), "durable batch publishing >= 30,000 events/s", BATCH_UNAVAILABLE, null));
                report.note(result.name() + ": batch publishing skipped: `POST /api/events` " + BATCH_UNAVAILABLE + ".");
            } else {
                report.add(Check.atLeast(result.name(), "durable batch publishing >= 30,000 events/s", result.number("batch_events_per_s"), BATCH_LIMIT, "events/s"));
            }
            report.add(Check.atMost(result.name(), "p99 single-publish round trip <= 20 ms at half the single-publish rate",
                    result.number("half_load_http_p99_ms"), HALF_LOAD_P99_LIMIT_MS, "ms"));
            report.add(new Check(result.name(), "every answered publish is stored", result.figures().get("events_missing_from_store") + " missing",
                    result.number("events_missing_from_store") == 0));
        }
        report.note("Nobody is subscribed: this measures the publish path and the store. Latency in the chart is the HTTP round trip.");
        return report;
    }

    private static TargetResult measure(BenchContext context, ServerUnderTest server, int channelCount, int seconds, int concurrency,
                                        int batchSize, int batchConcurrency) throws Exception {
        TargetResult result = new TargetResult(server.name(), server.commandLine());
        List<String> channels = LiveDelivery.channelNames(context, "p", channelCount);
        try (HttpPublisher publisher = new HttpPublisher(server.port(), context.publisherToken(), concurrency)) {
            BenchContext.log(server.name() + ": warming up single publishes");
            publishFlat(publisher, channels, Math.max(2, seconds / 5));
            publisher.roundTrips().reset();

            BenchContext.log(server.name() + ": single publishes, " + concurrency + " in flight, " + seconds + " s");
            long before = publisher.published();
            long failedBefore = publisher.failed();
            CpuWindow cpu = CpuWindow.start(server.pid(), server::helperPids);
            double wall = publishFlat(publisher, channels, seconds);
            CpuWindow.Usage usage = cpu.stop();
            long singles = publisher.published() - before;
            result.put("single_publishes", singles);
            result.put("single_failures", publisher.failed() - failedBefore);
            if (publisher.failed() > 0) {
                result.put("failure_kinds", publisher.failures().toString());
            }
            result.put("single_publishes_per_s", singles / wall);
            result.put("server_cpu_us_per_publish", singles == 0 ? Double.NaN : usage.serverSeconds() * 1e6 / singles);
            usage.toMap().forEach(result::put);
            LatencySummary http = LatencySummary.of(publisher.roundTrips().snapshot());
            result.put("single_http_p50_ms", http.p50Ms());
            result.put("single_http_p99_ms", http.p99Ms());
            result.chart(publisher.roundTrips().snapshot());
            measureHalfLoad(result, server, publisher, channels, singles / wall / 2, seconds);

            measureBatches(result, server, publisher, channels, seconds, batchSize, batchConcurrency);
            checkStored(result, publisher, channels, server.replays());
            Targets.addMemory(result, "", JvmMemory.measure(server.pid()));
            Targets.addServerCounters(result, server);
        }
        return result;
    }

    /**
     * Single publishes at a fixed {@code rate} (open loop: each is sent at its due time, whatever
     * the answers before it) for {@code seconds}: the round trip a backend sees when the server is
     * not saturated. The phase starts with an unmeasured lead-in at the same rate: the saturated
     * phase before it leaves the server with a backlog (queued audit records that PostgreSQL, on the
     * server's core, is still inserting), which is the end of a burst, not steady half load.
     */
    private static void measureHalfLoad(TargetResult result, ServerUnderTest server, HttpPublisher publisher, List<String> channels,
                                        double rate, int seconds) throws InterruptedException {
        if (!(rate > 0)) {
            return;
        }
        int leadIn = Math.max(5, seconds / 6);
        BenchContext.log(server.name() + ": single publishes at half that rate, " + Math.round(rate) + "/s, " + leadIn + " s lead-in, then "
                + seconds + " s measured");
        publisher.publishAtRate(channels, rate, Duration.ofSeconds(leadIn));
        publisher.roundTrips().reset();
        long failedBefore = publisher.failed();
        CpuWindow cpu = CpuWindow.start(server.pid(), server::helperPids);
        long sent = publisher.publishAtRate(channels, rate, Duration.ofSeconds(seconds));
        CpuWindow.Usage usage = cpu.stop();
        LatencySummary http = LatencySummary.of(publisher.roundTrips().snapshot());
        result.put("half_load_rate", rate);
        result.put("half_load_publishes", sent);
        result.put("half_load_failures", publisher.failed() - failedBefore);
        result.put("half_load_publisher_max_lag_ms", publisher.lastMaxLagNanos() / 1e6);
        result.put("half_load_http_p50_ms", http.p50Ms());
        result.put("half_load_http_p99_ms", http.p99Ms());
        result.put("half_load_http_max_ms", http.maxMs());
        result.put("half_load_server_core_share", usage.serverSeconds() / Math.max(1e-9, usage.wallSeconds()));
        result.put("half_load_helpers_core_share", usage.helperSeconds() / Math.max(1e-9, usage.wallSeconds()));
        result.put("half_load_disturbed", usage.disturbed());
    }

    /** Single publishes as fast as {@code concurrency} in flight allows, for {@code seconds}; returns the wall time. */
    private static double publishFlat(HttpPublisher publisher, List<String> channels, int seconds) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        for (long i = 0; System.nanoTime() < end; i++) {
            publisher.publish(channels.get((int) (i % channels.size())), System.nanoTime());
        }
        publisher.awaitIdle();
        return (System.nanoTime() - start) / 1e9;
    }

    private static void measureBatches(TargetResult result, ServerUnderTest server, HttpPublisher publisher, List<String> channels,
                                       int seconds, int batchSize, int batchConcurrency) throws Exception {
        int probe = publisher.publishBatch(channels, Math.min(batchSize, channels.size()), 0);
        if (probe == 404) {
            BenchContext.log(server.name() + ": batch publishing skipped: POST /api/events " + BATCH_UNAVAILABLE);
            result.put("batch", BATCH_UNAVAILABLE);
            return;
        }
        BenchContext.log(server.name() + ": batches of " + batchSize + ", " + batchConcurrency + " in flight, " + seconds + " s");
        AtomicLong events = new AtomicLong();
        AtomicInteger failures = new AtomicInteger();
        AtomicLong offset = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService senders = Executors.newFixedThreadPool(batchConcurrency);
        CpuWindow cpu = CpuWindow.start(server.pid(), server::helperPids);
        long start = System.nanoTime();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < batchConcurrency; t++) {
                running.add(senders.submit(() -> {
                    while (System.nanoTime() < end) {
                        int status = publisher.publishBatch(channels, batchSize, offset.getAndAdd(batchSize));
                        if (status == 200 || status == 201) {
                            events.addAndGet(batchSize);
                        } else {
                            failures.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> sender : running) {
                sender.get(seconds + 120L, TimeUnit.SECONDS);
            }
        } finally {
            senders.shutdownNow();
        }
        double wall = (System.nanoTime() - start) / 1e9;
        CpuWindow.Usage usage = cpu.stop();
        result.put("batch", "status " + probe);
        result.put("batch_size", batchSize);
        result.put("batch_events", events.get());
        result.put("batch_failures", failures.get());
        result.put("batch_events_per_s", events.get() / wall);
        result.put("server_cpu_us_per_batched_event", events.get() == 0 ? Double.NaN : usage.serverSeconds() * 1e6 / events.get());
        result.put("batch_server_core_share", usage.serverSeconds() / Math.max(1e-9, usage.wallSeconds()));
        result.put("batch_helpers_core_share", usage.helperSeconds() / Math.max(1e-9, usage.wallSeconds()));
        result.put("batch_disturbed", usage.disturbed());
    }

    /** Reads every channel's stored head back: each answered publish must be in the store. */
    private static void checkStored(TargetResult result, HttpPublisher publisher, List<String> channels, boolean stores) throws Exception {
        if (!stores) {
            result.put("events_missing_from_store", "n/a (stores nothing)");
            return;
        }
        long missing = 0;
        for (String channel : channels) {
            long stored = publisher.storedHead(channel);
            missing += Math.max(0, publisher.head(channel) - Math.max(0, stored));
        }
        result.put("events_missing_from_store", missing);
    }
}
