package dev.herald.bench.scenario;

import dev.herald.bench.BenchContext;
import dev.herald.bench.Options;
import dev.herald.bench.client.HttpPublisher;
import dev.herald.bench.client.LoadClient;
import dev.herald.bench.client.SequenceTotals;
import dev.herald.bench.client.Subscriber;
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
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;

/**
 * {@code storm}: {@code --connections} clients over {@code --channels} channels disconnect,
 * {@code --missed} events are published to every channel, and all clients reconnect spread over
 * {@code --spread} seconds, each resuming with {@code ?since=<last seq>}. Reports when every
 * client had received its channel's head gap-free, per client and for the whole storm. The raw
 * baseline keeps no history: for it only the reconnect itself is timed.
 */
public final class StormScenario implements Scenario {

    static final double ALL_RESUMED_LIMIT_S = 5.0;

    @Override
    public RunReport run(BenchContext context) throws Exception {
        Options options = context.options();
        int connections = options.integer("connections", 10_000, 500);
        int channels = options.integer("channels", 1_000, 50);
        int missed = options.integer("missed", 20, 20);
        double spread = options.decimal("spread", 1.0, 1.0);
        RunReport report = context.newReport();
        report.chartTitle("time from each client's reconnect to having its channel's head, by percentile");
        List<TargetResult> results = Targets.measureEach(context, report, Targets.chosen(context, Targets.RAW + "," + Targets.HERALD_MEMORY),
                server -> {
                    try (LiveDelivery fleet = new LiveDelivery(context, server, connections, LiveDelivery.channelNames(context, "s", channels),
                            ChannelsScenario.publishConcurrency(context))) {
                        return measure(fleet, missed, spread);
                    }
                });
        for (TargetResult result : results) {
            if (!result.name().equals(Targets.RAW)) {
                double all = result.number("storm_all_resumed_s");
                report.add(Double.isNaN(all)
                        ? new Check(result.name(), "every client resumed gap-free within 5 s of the storm's start",
                                result.figures().get("clients_resumed") + " of " + result.figures().get("clients") + " resumed at all", false)
                        : Check.atMost(result.name(), "every client resumed gap-free within 5 s of the storm's start", all, ALL_RESUMED_LIMIT_S, "s"));
                report.add(new Check(result.name(), "no loss, duplicate or reordering across the reconnect",
                        result.figures().get("events_lost") + " lost, " + result.figures().get("duplicates") + " dup",
                        result.number("events_lost") == 0 && result.number("duplicates") == 0 && result.number("out_of_order") == 0));
            }
        }
        report.note("Each client's resume time runs from its own reconnect to receiving its channel's head; storm_all_resumed_s from the first reconnect to the last client's head.");
        report.note("A client the server closes during the reconnect is not retried (a real client would back off and retry): it counts in clients_not_back, "
                + "and what it was owed in events_owed_to_clients_not_back, not in events_lost.");
        report.note("The raw baseline has no history: its row times the reconnect (handshake to `subscribed`) only, and its events published while disconnected are gone by design.");
        return report;
    }

    private static TargetResult measure(LiveDelivery fleet, int missed, double spreadSeconds) throws Exception {
        ServerUnderTest server = fleet.server();
        TargetResult result = new TargetResult(server.name(), server.commandLine());
        LoadClient client = fleet.client();
        HttpPublisher publisher = fleet.publisher();
        LoadClient.ConnectResult connected = fleet.connect();
        List<Subscriber> subscribers = fleet.subscribers().stream().filter(s -> s.checker() != null).toList();

        // One event per channel first, so that every client resumes from a position above 0.
        publishToEveryChannel(publisher, fleet.channels(), 1);
        fleet.awaitDelivered(Duration.ofSeconds(30));

        BenchContext.log(server.name() + ": disconnecting " + subscribers.size() + " clients, publishing " + missed + " events to each of "
                + fleet.channels().size() + " channels");
        client.disconnect(subscribers, Duration.ofSeconds(30));
        publishToEveryChannel(publisher, fleet.channels(), missed);

        long[] heads = subscribers.stream().mapToLong(s -> publisher.head(s.channel())).toArray();
        AtomicLongArray resumedAt = new AtomicLongArray(fleet.subscribers().size());
        boolean replays = server.replays();
        client.recordLatency(false);
        client.listener((subscriber, event, nanos) -> {
            if (subscriber.checker().position() >= publisher.head(subscriber.channel())) {
                resumedAt.compareAndSet(subscriber.index(), 0, nanos);
            }
        });

        BenchContext.log(server.name() + ": reconnect storm over " + spreadSeconds + " s");
        CpuWindow cpu = CpuWindow.start(server.pid(), server::helperPids);
        long stormStart = System.nanoTime();
        LoadClient.ConnectResult reconnected = client.reconnectSpread(subscribers, Duration.ofNanos((long) (spreadSeconds * 1e9)), Duration.ofSeconds(120));
        long waitEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (replays && countResumed(resumedAt, subscribers) < subscribers.size() && System.nanoTime() < waitEnd) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        CpuWindow.Usage usage = cpu.stop();
        client.quiesce();

        Histogram perClient = new Histogram(3);
        long last = stormStart;
        int resumed = 0;
        int within = 0;
        for (Subscriber subscriber : subscribers) {
            long done = replays ? resumedAt.get(subscriber.index()) : subscriber.subscribedNanos();
            if (done == 0 || done < subscriber.openedNanos()) {
                continue;
            }
            resumed++;
            last = Math.max(last, done);
            within += done - stormStart <= ALL_RESUMED_LIMIT_S * 1e9 ? 1 : 0;
            perClient.recordValue((done - subscriber.openedNanos()) / 1000);
        }
        result.put("clients", subscribers.size());
        result.put("initial_connect_s", connected.seconds());
        result.put("events_missed_per_client", missed);
        result.put("reconnect_failures", reconnected.failed());
        result.put("clients_resumed", resumed);
        result.put("clients_resumed_within_5s", within);
        result.put("storm_all_resumed_s", resumed == subscribers.size() ? (last - stormStart) / 1e9 : Double.NaN);
        result.put("storm_last_resumed_s", (last - stormStart) / 1e9);
        LatencySummary summary = LatencySummary.of(perClient);
        result.put("resume_p50_ms", summary.p50Ms());
        result.put("resume_p99_ms", summary.p99Ms());
        result.put("resume_max_ms", summary.maxMs());
        result.put("server_cpu_us_per_client_resumed", resumed == 0 ? Double.NaN : usage.serverSeconds() * 1e6 / resumed);
        usage.toMap().forEach(result::put);
        if (replays) {
            // Loss is judged on the clients that got back in; a client refused at the reconnect is counted as such.
            List<Subscriber> back = subscribers.stream().filter(Subscriber::subscribedNow).toList();
            SequenceTotals totals = SequenceTotals.of(back, publisher::head);
            result.putAll(totals.toMap());
            result.put("resumed_without_history", totals.notRecovered());
            List<Subscriber> refused = subscribers.stream().filter(s -> !s.subscribedNow()).toList();
            result.put("clients_not_back", refused.size());
            result.put("events_owed_to_clients_not_back", SequenceTotals.of(refused, publisher::head).lost());
        }
        if (!reconnected.sampleProblems().isEmpty()) {
            result.put("reconnect_problem_example", reconnected.sampleProblems().get(0));
        }
        Targets.addMemory(result, "", JvmMemory.measure(server.pid()));
        Targets.addServerCounters(result, server);
        result.chart(perClient);
        return result;
    }

    private static int countResumed(AtomicLongArray resumedAt, List<Subscriber> subscribers) {
        int count = 0;
        for (Subscriber subscriber : subscribers) {
            count += resumedAt.get(subscriber.index()) != 0 ? 1 : 0;
        }
        return count;
    }

    private static void publishToEveryChannel(HttpPublisher publisher, List<String> channels, int perChannel) throws InterruptedException {
        for (int round = 0; round < perChannel; round++) {
            for (String channel : channels) {
                publisher.publish(channel, System.nanoTime());
            }
        }
        publisher.awaitIdle();
    }
}
