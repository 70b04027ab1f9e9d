package dev.herald.application.metrics;

import dev.herald.application.admin.AdminService;
import dev.herald.application.audit.AuditTrail;
import dev.herald.application.broker.Broker;
import dev.herald.application.config.HeraldConfig;
import dev.herald.application.delivery.Hub;
import dev.herald.application.session.ClientSession;
import dev.herald.application.session.InstanceId;
import dev.herald.application.session.SessionRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What this instance is doing, for operators: the Prometheus exposition behind {@code /metrics},
 * the summary behind {@code GET /api/status}, and the database check behind the readiness probe.
 * Gauges are read when asked, from the registries that hold the state; nothing here runs on the
 * delivery path.
 */
@ApplicationScoped
public class InstanceMonitor {

    private HeraldMetrics metrics;
    private SessionRegistry sessions;
    private Hub hub;
    private Broker broker;
    private AuditTrail audit;
    private StoreProbe store;
    private Executor executor;
    private Clock clock;
    private String instance;
    private Duration healthTimeout;
    private Instant startedAt;
    private final AtomicReference<CompletableFuture<Boolean>> storeCheck = new AtomicReference<>();

    protected InstanceMonitor() {
        // for CDI proxies
    }

    @Inject
    public InstanceMonitor(HeraldMetrics metrics, SessionRegistry sessions, Hub hub, Broker broker, AuditTrail audit,
                           StoreProbe store, Executor executor, Clock clock, InstanceId instance, HeraldConfig config) {
        this.metrics = metrics;
        this.sessions = sessions;
        this.hub = hub;
        this.broker = broker;
        this.audit = audit;
        this.store = store;
        this.executor = executor;
        this.clock = clock;
        this.instance = instance.value();
        this.healthTimeout = config.observability().healthTimeout();
        this.startedAt = clock.instant();
    }

    /**
     * Whether the database answers, waiting at most {@code herald.health.timeout}. One check runs at a
     * time: probes arriving meanwhile wait for the same answer, so a hanging database never piles up
     * threads or connections however often the probe asks.
     */
    public boolean storeReachable() {
        CompletableFuture<Boolean> check = storeCheck.get();
        if (check == null || check.isDone()) {
            CompletableFuture<Boolean> next = new CompletableFuture<>();
            if (storeCheck.compareAndSet(check, next)) {
                try {
                    executor.execute(() -> {
                        try {
                            next.complete(store.ping());
                        } catch (RuntimeException e) {
                            next.complete(false);
                        }
                    });
                } catch (RejectedExecutionException e) {
                    next.complete(false);
                }
            }
            check = storeCheck.get();
        }
        try {
            return check.get(healthTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code connected}; or {@code polling} while the broker is disconnected and events are read from the store. */
    public String brokerState() {
        return broker.isConnected() ? "connected" : "polling";
    }

    public String brokerType() {
        return AdminService.brokerType(broker);
    }

    /** The summary behind {@code GET /api/status}. */
    public record Status(String instance, Instant startedAt, Duration uptime, Map<String, Integer> connections,
                         int subscriptions, int channels, String brokerType, String brokerState, boolean storeUp,
                         long auditQueued, long auditDropped, Map<String, Long> published, long delivered, long replayed,
                         long gapsRepaired, long slowConsumerCloses, long authFailures, long storeUnavailable) {

        public int connectionCount() {
            return connections.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    public Status status() {
        Load load = load();
        Map<String, Long> published = new TreeMap<>();
        for (HeraldMetrics.Source s : HeraldMetrics.Source.values()) {
            published.put(s.label(), metrics.publishedCount(s));
        }
        return new Status(instance, startedAt, Duration.between(startedAt, clock.instant()), load.byTransport,
                load.subscriptions, hub.activeChannels().size(), brokerType(), brokerState(), storeReachable(),
                audit.queued(), audit.dropped(), published, metrics.delivered(), metrics.replayed(), metrics.gapsRepaired(),
                metrics.slowConsumerCloses(), metrics.authFailures(), store.unavailable());
    }

    /** Every metric, in the Prometheus text format; the names are documented in docs/operations.md. */
    public String prometheus() {
        Load load = load();
        PrometheusText text = new PrometheusText();
        text.family("herald_connections", "gauge", "Open client connections on this instance, by transport (the autoscaling signal).");
        for (Map.Entry<String, Integer> e : load.byTransport.entrySet()) {
            text.sample("herald_connections", e.getValue(), "transport", e.getKey());
        }
        text.gauge("herald_subscriptions", "Channel subscriptions of the connections on this instance.", load.subscriptions)
                .gauge("herald_channels", "Channels with at least one subscriber on this instance.", hub.activeChannels().size())
                .family("herald_broker_connected", "gauge",
                        "1 while the broker (Redis pub/sub) subscription is up; 0 while events are polled from the store instead.")
                .sample("herald_broker_connected", broker.isConnected() ? 1 : 0, "broker", brokerType())
                .family("herald_events_published_total", "counter", "Events stored and handed to the broker by this instance, by source.");
        for (HeraldMetrics.Source s : HeraldMetrics.Source.values()) {
            text.sample("herald_events_published_total", metrics.publishedCount(s), "source", s.label());
        }
        text.counter("herald_events_delivered_total", "Events queued on a connection by the live fan-out (one per event and connection).",
                        metrics.delivered())
                .histogram("herald_delivery_latency_seconds",
                        "From an event's commit timestamp to its frame being queued on a connection, per delivery.",
                        metrics.latency().snapshot())
                .counter("herald_events_replayed_total", "Events sent to a subscriber from the store: replays and the catch-up before going live.",
                        metrics.replayed())
                .counter("herald_gaps_repaired_total", "Times a channel was found behind its stored head and the missing events were read from the store.",
                        metrics.gapsRepaired())
                .counter("herald_events_held_for_order_total", "Events that came from the broker ahead of their predecessor and waited for it, up to"
                        + " herald.broker.reorder-window, before any store read.", metrics.heldForOrderCount())
                .counter("herald_slow_consumer_closes_total", "Connections closed with 4009 because their outgoing queue was full.",
                        metrics.slowConsumerCloses())
                .counter("herald_auth_failures_total", "Refused tokens and connections closed with 4001, on every transport.",
                        metrics.authFailures())
                .counter("herald_store_unavailable_total", "Store operations that got no database connection within herald.db.acquire-timeout.",
                        store.unavailable())
                .gauge("herald_audit_queue", "Audit records waiting to be written to the database.", audit.queued())
                .counter("herald_audit_dropped_total", "Audit records dropped because the queue was full or the database refused them.",
                        audit.dropped())
                .gauge("herald_uptime_seconds", "Seconds since this instance started.",
                        Duration.between(startedAt, clock.instant()).toMillis() / 1000.0);
        return text.toString();
    }

    private record Load(Map<String, Integer> byTransport, int subscriptions) {
    }

    /** Counts by walking the registry: fine at scrape rates, and it keeps every counter off the connect path. */
    private Load load() {
        Map<String, Integer> byTransport = new TreeMap<>(Map.of("websocket", 0, "sse", 0));
        int subscriptions = 0;
        for (ClientSession s : sessions.all()) {
            byTransport.merge(s.transport(), 1, Integer::sum);
            subscriptions += s.subscriptions().size();
        }
        return new Load(byTransport, subscriptions);
    }
}
