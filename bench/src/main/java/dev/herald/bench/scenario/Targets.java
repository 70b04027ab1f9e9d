package dev.herald.bench.scenario;

import dev.herald.bench.BenchContext;
import dev.herald.bench.report.RunReport;
import dev.herald.bench.report.TargetResult;
import dev.herald.bench.server.PostgresServer;
import dev.herald.bench.server.RedisServer;
import dev.herald.bench.server.ServerUnderTest;
import dev.herald.bench.system.CpuWindow;
import dev.herald.bench.system.JvmMemory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The servers a scenario measures, one after the other on core 0 (the harness's open-file limit
 * allows one full-size fleet of connections at a time): {@code raw-netty} first, then Herald as
 * {@code herald-memory} (in-memory broker, embedded H2), {@code herald-postgres} (in-memory
 * broker, PostgreSQL) or {@code herald-redis-postgres} (Redis broker, PostgreSQL). Each is
 * stopped, with its Redis and PostgreSQL, before the next starts.
 */
final class Targets {

    static final String RAW = "raw-netty";
    static final String HERALD_MEMORY = "herald-memory";
    static final String HERALD_POSTGRES = "herald-postgres";
    static final String HERALD_REDIS_POSTGRES = "herald-redis-postgres";

    /** Measures one running server. */
    interface Measurement {
        TargetResult measure(ServerUnderTest server) throws Exception;
    }

    private Targets() {
    }

    /** The targets named by {@code --targets} (comma-separated), else {@code defaults}. */
    static List<String> chosen(BenchContext context, String defaults) {
        return List.of(context.options().text("targets", defaults).split(","));
    }

    /** Starts each target in turn, measures it, adds its result to {@code report}, stops it. */
    static List<TargetResult> measureEach(BenchContext context, RunReport report, List<String> names, Measurement measurement) throws Exception {
        List<TargetResult> results = new ArrayList<>();
        for (String name : names) {
            TargetResult result = measureOne(context, name.trim(), measurement);
            report.add(result);
            results.add(result);
        }
        return results;
    }

    private static TargetResult measureOne(BenchContext context, String name, Measurement measurement) throws Exception {
        Path work = context.work().resolve(name);
        switch (name) {
            case RAW -> {
                try (ServerUnderTest raw = context.startRaw()) {
                    return measurement.measure(raw);
                }
            }
            case HERALD_MEMORY -> {
                try (ServerUnderTest herald = context.startHerald(name, Map.of(), List::of)) {
                    return measurement.measure(herald);
                }
            }
            case HERALD_POSTGRES -> {
                try (PostgresServer postgres = PostgresServer.start(work);
                     ServerUnderTest herald = context.startHerald(name, postgresSettings(postgres), postgres::pids)) {
                    return measurement.measure(herald);
                }
            }
            case HERALD_REDIS_POSTGRES -> {
                try (PostgresServer postgres = PostgresServer.start(work);
                     RedisServer redis = RedisServer.start(work)) {
                    Map<String, String> settings = new java.util.HashMap<>(postgresSettings(postgres));
                    settings.put("herald.redis.url", redis.url());
                    try (ServerUnderTest herald = context.startHerald(name, settings, () -> withRedis(postgres, redis))) {
                        return measurement.measure(herald);
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown target " + name + " (raw-netty, herald-memory, herald-postgres, herald-redis-postgres)");
        }
    }

    private static Map<String, String> postgresSettings(PostgresServer postgres) {
        return Map.of("herald.db.url", postgres.jdbcUrl(), "herald.db.user", "postgres");
    }

    private static List<Long> withRedis(PostgresServer postgres, RedisServer redis) {
        List<Long> pids = new ArrayList<>(postgres.pids());
        pids.add(redis.pid());
        return pids;
    }

    /** Adds the CPU figures of a measured phase: server CPU per delivered event and who else used the CPU. */
    static void addCpu(TargetResult result, CpuWindow.Usage usage, long deliveries) {
        result.put("server_cpu_us_per_delivery", deliveries == 0 ? Double.NaN : usage.serverSeconds() * 1e6 / deliveries);
        usage.toMap().forEach(result::put);
    }

    /**
     * Herald's own counters worth seeing next to a result (gap repairs are store reads for lost or
     * long-late broker messages, events held for order the ones that waited for a late predecessor;
     * audit drops, records lost under load).
     */
    static final List<String> HERALD_COUNTERS = List.of("herald_gaps_repaired_total", "herald_events_held_for_order_total",
            "herald_slow_consumer_closes_total",
            "herald_store_unavailable_total", "herald_events_replayed_total", "herald_audit_dropped_total");

    /** Adds {@link #HERALD_COUNTERS} from the server's {@code /metrics}, when it has them (the raw baseline does not). */
    static void addServerCounters(TargetResult result, ServerUnderTest server) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return;
            }
            for (String line : response.body().split("\n")) {
                for (String counter : HERALD_COUNTERS) {
                    if (line.startsWith(counter + " ")) {
                        result.put(counter.replace("_total", ""), Double.parseDouble(line.substring(counter.length() + 1).trim()));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            result.put("metrics_problem", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Adds RSS and live heap of the server, in MiB. */
    static void addMemory(TargetResult result, String prefix, JvmMemory.Snapshot memory) {
        result.put(prefix + "rss_mib", memory.residentBytes() / 1048576.0);
        result.put(prefix + "heap_mib", memory.heapUsedBytes() < 0 ? Double.NaN : memory.heapUsedBytes() / 1048576.0);
    }
}
