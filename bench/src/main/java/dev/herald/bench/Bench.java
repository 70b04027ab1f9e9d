package dev.herald.bench;

import dev.herald.bench.report.Check;
import dev.herald.bench.report.RunReport;
import dev.herald.bench.scenario.ChannelsScenario;
import dev.herald.bench.scenario.FanoutScenario;
import dev.herald.bench.scenario.HoldScenario;
import dev.herald.bench.scenario.PublishScenario;
import dev.herald.bench.scenario.SaturateScenario;
import dev.herald.bench.scenario.Scenario;
import dev.herald.bench.scenario.SoakScenario;
import dev.herald.bench.scenario.StormScenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The benchmark harness's entry point: {@code bench/run SCENARIO [options]} (the script pins this
 * JVM to core 1 and raises its open-file limit). Runs the scenario against the raw baseline and
 * Herald, writes {@code bench/results/<scenario>-<timestamp>.json|md|svg}, and prints the table.
 */
public final class Bench {

    /** A scenario with its name on the command line and its line in the usage text. */
    record Listed(String name, String summary, Scenario scenario) {
    }

    static final List<Listed> SCENARIOS = List.of(
            new Listed("hold", "idle authenticated connections: seconds to connect, RSS and heap per connection", new HoldScenario()),
            new Listed("fanout", "N subscribers on one channel: CPU per delivery, time for one event to reach the last subscriber", new FanoutScenario()),
            new Listed("channels", "10,000 connections over 1,000 channels at 1,000 events/s: p99 publish-to-deliver", new ChannelsScenario()),
            new Listed("saturate", "raise the event rate until p99 > 100 ms or any loss: the highest clean rate", new SaturateScenario()),
            new Listed("publish", "durable HTTP publishing into PostgreSQL: single publishes/s and batch events/s", new PublishScenario()),
            new Listed("storm", "10,000 clients that missed 20 events reconnect within 1 s: all resumed gap-free within 5 s?", new StormScenario()),
            new Listed("soak", "connections churning and resuming for 10 minutes under steady publishing: does the live heap stay flat?", new SoakScenario()));

    private Bench() {
    }

    public static void main(String[] args) {
        try {
            System.exit(run(args));
        } catch (Exception | Error e) {
            e.printStackTrace();
            // Exit explicitly: Netty's event loops are not daemon threads; the shutdown hook kills the servers.
            System.exit(1);
        }
    }

    private static int run(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            System.out.println(usage());
            return 0;
        }
        Listed scenario = SCENARIOS.stream().filter(s -> s.name().equals(args[0])).findFirst().orElse(null);
        if (scenario == null) {
            System.err.println("unknown scenario " + args[0] + "\n\n" + usage());
            return 2;
        }
        Options options = Options.parse(Arrays.copyOfRange(args, 1, args.length));
        Path repository = Path.of(System.getProperty("herald.repository", "..")).toAbsolutePath().normalize();
        Path results = Path.of(options.text("results", repository.resolve("bench/results").toString()));
        BenchContext context = new BenchContext(scenario.name(), "bench/run " + String.join(" ", args), options, repository, results);
        BenchContext.log("scenario " + scenario.name() + (options.quick() ? " (quick)" : "") + ", scratch " + context.work());
        RunReport report = scenario.scenario().run(context);
        if (!options.unused().isEmpty()) {
            report.note("Options given but not used by this scenario: " + options.unused());
        }
        Path json = report.write(results);
        System.out.println(Files.readString(json.resolveSibling(json.getFileName().toString().replace(".json", ".md"))));
        BenchContext.log("wrote " + json + " (+ .md, .svg)");
        boolean failed = report.checks().stream().map(Check::pass).anyMatch(Boolean.FALSE::equals);
        BenchContext.log(failed ? "some targets of issue 6 were missed (see the table)" : "done");
        return 0;
    }

    static String usage() {
        StringBuilder usage = new StringBuilder("usage: bench/run SCENARIO [--quick] [--connections N] [--channels N] [--rate N] [--seconds N]"
                + " [--targets raw-netty,herald-memory,...] [--client-threads N] [--server-jvm \"flags\"] [--results DIR]\n\nscenarios:\n");
        for (Listed scenario : SCENARIOS) {
            usage.append(String.format("  %-9s %s%n", scenario.name(), scenario.summary()));
        }
        return usage.append("\nSee docs/performance.md.").toString();
    }
}
