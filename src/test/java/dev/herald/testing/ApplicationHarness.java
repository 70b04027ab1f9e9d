package dev.herald.testing;

import dev.herald.application.ClientCommand;
import dev.herald.application.Gateway;
import dev.herald.application.PublishService;
import dev.herald.application.SubscribeService;
import dev.herald.application.audit.AuditRelay;
import dev.herald.application.audit.AuditTrail;
import dev.herald.application.broker.Broker;
import dev.herald.application.config.HeraldConfig;
import dev.herald.application.config.Settings;
import dev.herald.application.delivery.Hub;
import dev.herald.application.presence.PresenceService;
import dev.herald.application.security.AccessPolicy;
import dev.herald.application.security.ChannelAuthorizer;
import dev.herald.application.session.Admission;
import dev.herald.application.session.ChannelOccupancy;
import dev.herald.application.session.ConnectionMonitor;
import dev.herald.application.session.InstanceId;
import dev.herald.application.session.SessionRegistry;
import dev.herald.infrastructure.presence.memory.InMemoryPresence;
import dev.herald.infrastructure.session.memory.InMemoryConnectionDirectory;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The application layer wired by hand over Herald's in-memory ports, the way CDI wires it in the
 * server. Close it to stop the replay executor.
 */
public final class ApplicationHarness implements AutoCloseable {

    public final HeraldConfig config;
    public final InMemoryEventStore store;
    /** The store the application uses: {@link #store}, with a switch to take it down. */
    public final SwitchableEventStore database;
    public final InMemoryAckStore acks = new InMemoryAckStore();
    public final Broker broker;
    public final Hub hub;
    public final InMemoryConnectionDirectory directory;
    public final InMemoryPresence presence = new InMemoryPresence();
    public final SubscribeService subscriptions;
    public final PublishService publishing;
    public final SessionRegistry registry;
    /** Subscribers per channel, shared by {@link #subscriptions} and {@link #admission}. */
    public final ChannelOccupancy occupancy;
    public final Admission admission;
    public final Gateway gateway;
    public final ConnectionMonitor monitor;
    public final TestTokens tokens = new TestTokens();
    public final InMemoryAuditStore auditStore = new InMemoryAuditStore();
    /** Records what the application audits; {@link AuditTrail#flush()} writes it to {@link #auditStore}. */
    public final AuditTrail audit;
    public final List<ClientCommand> commands = new CopyOnWriteArrayList<>();
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private volatile Consumer<ClientCommand> commandHandler = commands::add;

    public ApplicationHarness(Broker broker, Clock clock, Map<String, String> settings, List<ChannelAuthorizer> authorizers) {
        this.config = HeraldConfig.from(new Settings(key -> Optional.ofNullable(settings.get(key)), settings::keySet));
        this.store = new InMemoryEventStore(clock);
        this.database = new SwitchableEventStore(store);
        this.broker = broker;
        this.hub = new Hub(broker, database, config);
        hub.start();
        AccessPolicy policy = new AccessPolicy(authorizers);
        this.subscriptions = new SubscribeService(policy, hub, database, acks, presence, executor, config);
        this.occupancy = new ChannelOccupancy(config);
        subscriptions.limitBy(occupancy);
        this.publishing = new PublishService(policy, database, broker, config);
        InstanceId directoryInstance = InstanceId.random();
        this.directory = new InMemoryConnectionDirectory(directoryInstance, config.limits().connectionsPerUser());
        this.registry = new SessionRegistry(subscriptions, directory, clock);
        registry.start();
        this.admission = new Admission(registry, occupancy, config, clock);
        this.gateway = new Gateway(tokens, registry, subscriptions, publishing, policy, acks,
                new PresenceService(policy, presence), command -> commandHandler.accept(command), config, clock);
        this.monitor = new ConnectionMonitor(registry, config, clock);
        this.audit = new AuditTrail(auditStore, AuditRelay.LOCAL, new InMemoryLeases(clock), config, clock, directoryInstance);
        audit.start();
        registry.recordTo(audit);
        gateway.recordTo(audit);
        subscriptions.recordTo(audit);
        publishing.recordTo(audit);
        admission.recordTo(audit);
    }

    public ApplicationHarness(Broker broker, Clock clock, Map<String, String> settings) {
        this(broker, clock, settings, List.of());
    }

    public void onCommand(Consumer<ClientCommand> handler) {
        this.commandHandler = handler;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
