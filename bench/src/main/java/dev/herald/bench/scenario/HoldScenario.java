package dev.herald.bench.scenario;

import dev.herald.bench.BenchContext;
import dev.herald.bench.Options;
import dev.herald.bench.client.LoadClient;
import dev.herald.bench.client.Subscriber;
import dev.herald.bench.report.Check;
import dev.herald.bench.report.RunReport;
import dev.herald.bench.report.TargetResult;
import dev.herald.bench.server.ServerUnderTest;
import dev.herald.bench.system.CpuWindow;
import dev.herald.bench.system.JvmMemory;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code hold}: open many idle authenticated connections (each subscribed to one of
 * {@code --channels} channels), hold them {@code --seconds}, and report how long connecting took,
 * the server CPU it cost, and the server's RSS and live heap per connection (after a full GC,
 * against the same server after a small warm-up fleet came and went).
 */
public final class HoldScenario implements Scenario {

    /** Issue 6: at most 8 KiB RSS per idle authenticated connection at 19,500. */
    static final double RSS_PER_CONNECTION_LIMIT_KIB = 8.0;

    @Override
    public RunReport run(BenchContext context) throws Exception {
        Options options = context.options();
        int connections = options.integer("connections", 19_500, 500);
        int channels = options.integer("channels", 1_000, 50);
        int seconds = options.integer("seconds", 60, 10);
        long fdLimit = BenchContext.openFilesLimit();
        if (fdLimit > 0 && connections > fdLimit - 400) {
            throw new IllegalArgumentException("--connections " + connections + " does not fit the harness's open-file limit " + fdLimit
                    + " (at most " + (fdLimit - 400) + ")");
        }
        RunReport report = context.newReport();
        Targets.measureEach(context, report, Targets.chosen(context, Targets.RAW + "," + Targets.HERALD_MEMORY),
                server -> measure(context, server, connections, channels, seconds));
        TargetResult herald = report.target(Targets.HERALD_MEMORY);
        if (herald != null) {
            report.add(Check.atMost(herald.name(), "RSS per idle authenticated connection <= 8 KiB (at 19,500)",
                    herald.number("rss_per_connection_kib"), RSS_PER_CONNECTION_LIMIT_KIB, "KiB at " + connections));
        }
        report.note("Connections use single-channel URLs (`/ws/bench/{id}`) with an `Authorization: Bearer` token; the raw baseline checks no token.");
        report.note("Per-connection memory = (after connecting - before) / open connections, each after `jcmd GC.run`; a warm-up fleet of "
                + warmUpSize(connections) + " connections came and went first.");
        return report;
    }

    static int warmUpSize(int connections) {
        return Math.max(10, Math.min(500, connections / 20));
    }

    private TargetResult measure(BenchContext context, ServerUnderTest server, int connections, int channelCount, int seconds) throws Exception {
        List<String> channels = LiveDelivery.channelNames(context, "h", channelCount);
        try (LiveDelivery warmUp = new LiveDelivery(context, server, warmUpSize(connections), channels, 1)) {
            warmUp.connect();
        }
        JvmMemory.Snapshot before = JvmMemory.measure(server.pid());
        TargetResult result = new TargetResult(server.name(), server.commandLine());
        try (LiveDelivery fleet = new LiveDelivery(context, server, connections, channels, 1)) {
            CpuWindow connectCpu = CpuWindow.start(server.pid(), server::helperPids);
            LoadClient.ConnectResult connected = fleet.connect();
            CpuWindow.Usage connecting = connectCpu.stop();
            JvmMemory.Snapshot after = JvmMemory.measure(server.pid());

            BenchContext.log(server.name() + ": holding " + connected.subscribed() + " connections for " + seconds + " s");
            CpuWindow holdCpu = CpuWindow.start(server.pid(), server::helperPids);
            TimeUnit.SECONDS.sleep(seconds);
            CpuWindow.Usage holding = holdCpu.stop();
            fleet.client().quiesce();
            long stillOpen = fleet.subscribers().stream().filter(Subscriber::open).count();
            JvmMemory.Snapshot afterHold = JvmMemory.measure(server.pid());

            int open = connected.subscribed();
            result.put("connections_attempted", connected.attempted());
            result.put("connections_subscribed", open);
            result.put("connections_failed", connected.failed());
            result.put("connect_s", connected.seconds());
            result.put("connects_per_s", open / Math.max(1e-9, connected.seconds()));
            result.put("server_cpu_ms_per_1000_connects", open == 0 ? Double.NaN : connecting.serverSeconds() * 1e6 / open);
            result.put("still_open_after_hold", stillOpen);
            Targets.addMemory(result, "before_", before);
            Targets.addMemory(result, "connected_", after);
            Targets.addMemory(result, "after_hold_", afterHold);
            result.put("rss_per_connection_kib", open == 0 ? Double.NaN : (after.residentBytes() - before.residentBytes()) / 1024.0 / open);
            result.put("heap_per_connection_kib", open == 0 || after.heapUsedBytes() < 0 ? Double.NaN
                    : (after.heapUsedBytes() - before.heapUsedBytes()) / 1024.0 / open);
            result.put("idle_server_core_share", holding.serverSeconds() / Math.max(1e-9, holding.wallSeconds()));
            result.put("source_addresses_used_so_far", context.sources().addressesUsed());
            holding.toMap().forEach((k, v) -> result.put("hold_" + k, v));
            result.put("connect_disturbed", connecting.disturbed());
            if (!connected.sampleProblems().isEmpty()) {
                result.put("connect_problem_example", connected.sampleProblems().get(0));
            }
        }
        return result;
    }
}
