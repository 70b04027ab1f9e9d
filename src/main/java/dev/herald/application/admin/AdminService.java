package dev.herald.application.admin;

import dev.herald.application.audit.AuditEvent;
import dev.herald.application.audit.AuditOutcome;
import dev.herald.application.audit.AuditTrail;
import dev.herald.application.audit.AuditType;
import dev.herald.application.broker.Broker;
import dev.herald.application.delivery.Hub;
import dev.herald.application.security.Principal;
import dev.herald.application.session.ClientSession;
import dev.herald.application.session.CloseCode;
import dev.herald.application.session.ConnectionDirectory;
import dev.herald.application.session.InstanceId;
import dev.herald.application.session.SessionRegistry;
import dev.herald.domain.ChannelName;
import dev.herald.domain.EventStore;
import dev.herald.domain.RetentionStore;
import dev.herald.domain.Sequence;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What the admin console reads and does: this instance's connections, the channels it serves,
 * its health, and disconnecting connections on every instance (close 4011, recorded in the audit).
 */
@ApplicationScoped
public class AdminService {

    private static final Logger LOG = Logger.getLogger(AdminService.class.getName());

    private SessionRegistry registry;
    private ConnectionDirectory directory;
    private DisconnectRelay relay;
    private AuditTrail audit;
    private Hub hub;
    private EventStore events;
    private RetentionStore channels;
    private Broker broker;
    private Clock clock;
    private InstanceId instance;
    private Instant startedAt;

    protected AdminService() {
        // for CDI proxies
    }

    @Inject
    public AdminService(SessionRegistry registry, ConnectionDirectory directory, DisconnectRelay relay, AuditTrail audit, Hub hub, EventStore events,
                        RetentionStore channels, Broker broker, Clock clock, InstanceId instance) {
        this.registry = registry;
        this.directory = directory;
        this.relay = relay;
        this.audit = audit;
        this.hub = hub;
        this.events = events;
        this.channels = channels;
        this.broker = broker;
        this.clock = clock;
        this.instance = instance;
        this.startedAt = clock.instant();
    }

    /** Starts obeying other instances' orders; CDI calls it once, tests by hand. */
    @PostConstruct
    public void start() {
        relay.onDisconnect(this::closeLocal);
    }

    public record ConnectionInfo(String id, String user, String instance, String transport, List<String> channels,
                                 Instant connectedAt, long messagesSent) {
    }

    public record ChannelInfo(String channel, int subscribers, long head, double eventsPerSecond) {
    }

    public record Health(String instance, boolean up, Instant startedAt, int connections, String brokerType,
                         boolean brokerConnected, boolean storeUp, long auditQueued, long auditDropped) {
    }

    /** This instance's authenticated connections, optionally of one user, oldest first. */
    public List<ConnectionInfo> connections(Optional<String> user) {
        return registry.all().stream()
                .filter(s -> s.isAuthenticated() && !s.isReleased())
                .filter(s -> user.map(u -> u.equals(s.requirePrincipal().subject())).orElse(true))
                .sorted(java.util.Comparator.comparingLong(ClientSession::openedAtMillis).thenComparing(ClientSession::id))
                .map(this::info)
                .toList();
    }

    private ConnectionInfo info(ClientSession s) {
        List<String> subscribed = s.subscriptions().keySet().stream().map(ChannelName::value).sorted().toList();
        return new ConnectionInfo(s.id(), s.requirePrincipal().subject(), instance.value(), s.transport(), subscribed,
                Instant.ofEpochMilli(s.openedAtMillis()), s.messagesSent());
    }

    /**
     * Closes one connection with 4011 wherever it is. This instance's is closed at once; otherwise
     * the order goes to the other instances.
     *
     * @return false when the connection is certainly unknown: not here, and no other instance to ask
     */
    public boolean disconnectConnection(Principal admin, String connectionId) {
        Optional<ClientSession> here = registry.find(connectionId);
        boolean known = here.isPresent() || relay.reachesOtherInstances();
        audit.record(AuditEvent.of(AuditType.ADMIN, known ? AuditOutcome.OK : AuditOutcome.FAILED)
                .user(admin.subject()).transport("http")
                .with("action", "disconnect_connection").with("target", connectionId)
                .with("local", here.isPresent()));
        if (here.isPresent()) {
            close(here.get(), admin.subject());
        } else if (known) {
            relay.send(Disconnect.connection(connectionId, admin.subject()));
        }
        return known;
    }

    /**
     * Closes every connection of the user with 4011, on every instance.
     *
     * @return how many connections this instance closed, plus how many the connection directory counts on other
     *         instances (it counts them only while {@code herald.limits.connections-per-user} is not zero)
     */
    public int disconnectUser(Principal admin, String user) {
        long elsewhere = 0;
        if (relay.reachesOtherInstances()) {
            elsewhere = directory.connections(user).stream().filter(e -> !e.instance().equals(instance)).count();
        }
        int closed = closeLocal(Disconnect.user(user, admin.subject()));
        if (relay.reachesOtherInstances()) {
            relay.send(Disconnect.user(user, admin.subject()));
        }
        int total = closed + (int) elsewhere;
        audit.record(AuditEvent.of(AuditType.ADMIN, AuditOutcome.OK).user(admin.subject()).transport("http")
                .with("action", "disconnect_user").with("target", user).with("closed", total));
        return total;
    }

    private int closeLocal(Disconnect order) {
        int n = 0;
        for (ClientSession s : registry.all()) {
            boolean match = order.byUser()
                    ? s.principal().map(p -> p.subject().equals(order.target())).orElse(false)
                    : s.id().equals(order.target());
            if (match && !s.isReleased()) {
                close(s, order.admin());
                n++;
            }
        }
        return n;
    }

    private void close(ClientSession session, String admin) {
        LOG.info(() -> "connection " + session.id() + " disconnected by administrator " + admin);
        session.close(CloseCode.ADMIN_DISCONNECT, CloseCode.ADMIN_DISCONNECT.reason());
    }

    /**
     * Channels with subscribers on this instance or with events recently published on any instance,
     * with their stored head.
     */
    public List<ChannelInfo> channels() {
        long now = clock.millis();
        Map<String, Double> rates = audit.rates().snapshot(now);
        Set<ChannelName> names = new TreeSet<>(java.util.Comparator.comparing(ChannelName::value));
        names.addAll(hub.activeChannels());
        rates.keySet().forEach(c -> ChannelName.tryParse(c).ifPresent(names::add));
        Map<ChannelName, Sequence> heads = names.isEmpty() ? Map.of() : events.heads(names);
        List<ChannelInfo> out = new ArrayList<>(names.size());
        for (ChannelName c : names) {
            out.add(new ChannelInfo(c.value(), hub.subscriberCount(c), heads.getOrDefault(c, Sequence.ZERO).value(),
                    rates.getOrDefault(c.value(), 0.0)));
        }
        return out;
    }

    public Health health() {
        boolean storeUp;
        try {
            channels.channels(Optional.empty(), 1);
            storeUp = true;
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "health check: the store is down", e);
            storeUp = false;
        }
        boolean brokerUp = broker.isConnected();
        return new Health(instance.value(), storeUp && brokerUp, startedAt, registry.size(), brokerType(broker), brokerUp,
                storeUp, audit.queued(), audit.dropped());
    }

    /** {@code memory}, {@code redis}, {@code redis-cluster}: the broker class's name without its role. */
    public static String brokerType(Broker broker) {
        String name = broker.getClass().getSimpleName().replace("Broker", "");
        if (name.startsWith("InMemory")) {
            return "memory";
        }
        return name.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }
}
