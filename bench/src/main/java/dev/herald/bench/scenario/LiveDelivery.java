package dev.herald.bench.scenario;

import dev.herald.bench.BenchContext;
import dev.herald.bench.client.HttpPublisher;
import dev.herald.bench.client.LoadClient;
import dev.herald.bench.client.SequenceTotals;
import dev.herald.bench.client.Subscriber;
import dev.herald.bench.server.ServerUnderTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Subscribers spread round-robin over channels of one server, and a publisher: the set-up shared
 * by the scenarios that measure live delivery (fanout, channels, saturate, storm). Every channel
 * name is new for each run and server, so every channel starts at sequence 0.
 */
final class LiveDelivery implements AutoCloseable {

    /** Handshakes in flight at once while connecting, unless {@code --connect-window} says otherwise. */
    static final int CONNECT_WINDOW = 32;

    private final int connectWindow;

    private final ServerUnderTest server;
    private final LoadClient client;
    private final HttpPublisher publisher;
    private final List<String> channels;
    private final List<Subscriber> subscribers = new ArrayList<>();

    LiveDelivery(BenchContext context, ServerUnderTest server, int connections, List<String> channels, int publishersInFlight) {
        this.server = server;
        this.channels = List.copyOf(channels);
        this.connectWindow = context.options().integer("connect-window", CONNECT_WINDOW, CONNECT_WINDOW);
        this.client = new LoadClient(server.port(), context.options().integer("client-threads", 1, 1), context.sources());
        this.publisher = new HttpPublisher(server.port(), context.publisherToken(), publishersInFlight);
        for (int i = 0; i < connections; i++) {
            subscribers.add(new Subscriber(i, channels.get(i % channels.size()), context.subscriberToken("bench-" + i)));
        }
    }

    /** {@code count} fresh channel names {@code bench:<tag><run>-<i>}. */
    static List<String> channelNames(BenchContext context, String tag, int count) {
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            names.add("bench:" + tag + context.runId() + "-" + i);
        }
        return names;
    }

    /** Connects every subscriber; allows about 50 connections a second plus a minute. */
    LoadClient.ConnectResult connect() throws InterruptedException {
        Duration deadline = Duration.ofSeconds(60 + subscribers.size() / 50);
        BenchContext.log(server.name() + ": connecting " + subscribers.size() + " subscribers over " + channels.size() + " channels");
        LoadClient.ConnectResult result = client.connect(subscribers, connectWindow, deadline);
        BenchContext.log(String.format("%s: %d subscribed, %d failed in %.1f s%s", server.name(), result.subscribed(), result.failed(),
                result.seconds(), result.sampleProblems().isEmpty() ? "" : "; e.g. " + String.join(" / ", result.sampleProblems())));
        return result;
    }

    /** Events every subscribed connection should have received by now, from the heads the publisher was answered. */
    long expectedDeliveries() {
        Map<String, Integer> perChannel = new HashMap<>();
        for (Subscriber subscriber : subscribers) {
            if (subscriber.checker() != null) {
                perChannel.merge(subscriber.channel(), 1, Integer::sum);
            }
        }
        long expected = 0;
        for (Map.Entry<String, Integer> entry : perChannel.entrySet()) {
            expected += publisher.head(entry.getKey()) * entry.getValue();
        }
        return expected;
    }

    /** Waits until every expected event arrived or {@code patience} passed; true when all arrived. */
    boolean awaitDelivered(Duration patience) throws InterruptedException {
        client.quiesce();
        long expected = expectedDeliveries();
        long end = System.nanoTime() + patience.toNanos();
        while (client.delivered() < expected && System.nanoTime() < end) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return client.delivered() >= expected;
    }

    /** Loss, duplicates and order over every subscriber. */
    SequenceTotals totals() throws InterruptedException {
        client.quiesce();
        return SequenceTotals.of(subscribers, publisher::head);
    }

    ServerUnderTest server() {
        return server;
    }

    LoadClient client() {
        return client;
    }

    HttpPublisher publisher() {
        return publisher;
    }

    List<String> channels() {
        return channels;
    }

    List<Subscriber> subscribers() {
        return subscribers;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            client.disconnect(subscribers, Duration.ofSeconds(20));
        } finally {
            client.close();
            publisher.close();
        }
    }
}
