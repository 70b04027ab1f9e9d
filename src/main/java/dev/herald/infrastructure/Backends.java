package dev.herald.infrastructure;

import dev.herald.application.CommandSink;
import dev.herald.application.PublishService;
import dev.herald.application.admin.DisconnectRelay;
import dev.herald.application.audit.AuditRelay;
import dev.herald.application.audit.AuditStore;
import dev.herald.application.broker.Broker;
import dev.herald.application.config.HeraldConfig;
import dev.herald.application.metrics.StoreProbe;
import dev.herald.application.presence.Presence;
import dev.herald.application.security.DevelopmentMode;
import dev.herald.application.security.CachedTokenVerifier;
import dev.herald.application.security.TokenVerifier;
import dev.herald.application.session.ConnectionDirectory;
import dev.herald.application.session.InstanceId;
import dev.herald.domain.AckStore;
import dev.herald.domain.EventStore;
import dev.herald.domain.Leases;
import dev.herald.domain.RetentionStore;
import dev.herald.infrastructure.admin.redis.RedisControlRelay;
import dev.herald.infrastructure.broker.memory.InMemoryBroker;
import dev.herald.infrastructure.concurrent.ThreadPerTask;
import dev.herald.infrastructure.broker.redis.RedisBroker;
import dev.herald.infrastructure.broker.redis.RedisClusterBroker;
import dev.herald.infrastructure.broker.redis.RedisCommandStream;
import dev.herald.infrastructure.broker.redis.RedisIngestStream;
import dev.herald.infrastructure.persistence.jpa.HeraldDatabase;
import dev.herald.infrastructure.persistence.jpa.JpaAuditStore;
import dev.herald.infrastructure.persistence.jpa.JpaAckStore;
import dev.herald.infrastructure.persistence.GroupCommitEventStore;
import dev.herald.infrastructure.persistence.jpa.JpaEventStore;
import dev.herald.infrastructure.persistence.jpa.JpaLeases;
import dev.herald.infrastructure.persistence.jpa.JpaRetentionStore;
import dev.herald.infrastructure.presence.memory.InMemoryPresence;
import dev.herald.infrastructure.presence.redis.RedisPresence;
import dev.herald.infrastructure.redis.ControlChannel;
import dev.herald.infrastructure.redis.RedisCommands;
import dev.herald.infrastructure.security.nimbus.NimbusTokenIssuer;
import dev.herald.infrastructure.security.nimbus.NimbusTokenVerifier;
import dev.herald.infrastructure.session.memory.InMemoryConnectionDirectory;
import dev.herald.infrastructure.session.redis.RedisConnectionDirectory;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place that chooses Herald's backends: broker, store, token verification, the state
 * instances share (connections per user, presence), and with Redis the command and ingest streams.
 * Nothing else knows which implementation runs.
 */
@ApplicationScoped
public class Backends {

    private static final Logger LOG = Logger.getLogger(Backends.class.getName());
    /** Verified tokens remembered at most: above {@code herald.limits.connections-per-instance}'s default of 18,000. */
    private static final int VERIFIED_TOKENS = 20_000;
    /** How long a verified token is remembered at most (and so accepted after its key left a JWKS). */
    private static final Duration VERIFIED_TOKEN_MAX_AGE = Duration.ofMinutes(1);

    @Inject
    HeraldConfig config;

    @Inject
    Clock clock;

    @Inject
    Executor executor;

    /** For the Redis subscription and ingest loops, which block for Herald's whole life. */
    @Inject
    ThreadPerTask loops;

    @Inject
    ScheduledExecutorService scheduler;

    private final InstanceId instance = InstanceId.random();
    private Broker broker;
    private Shared shared;
    private HeraldDatabase database;
    private byte[] developmentSecret;
    private CommandSink commandSink;
    private volatile RedisIngestStream ingest;
    private RedisControlRelay controlRelay;

    @PostConstruct
    void open() {
        // Broker settings first: a wrong one fails the deployment before the database is touched.
        broker = newBroker(config.broker(), loops, scheduler);
        database = HeraldDatabase.open(config.database());
        LOG.info(() -> "event store: " + describe(config.database().url()));
        if (broker instanceof RedisBroker redis) {
            redis.start();
        } else if (broker instanceof RedisClusterBroker redisCluster) {
            redisCluster.start();
        }
        LOG.info(() -> "broker: " + broker);
        commandSink = newCommandSink(config, clock);
        if (commandSink != CommandSink.NONE) {
            LOG.info(() -> "client commands also go to the " + commandSink);
        }
        shared = newShared(config, instance, broker, executor);
        LOG.info(() -> "instance " + instance + ": " + shared.directory() + "; " + shared.presence());
        if (shared.directory() instanceof RedisConnectionDirectory directory && broker instanceof ControlChannel control) {
            // The control channel has one listener: the directory's evictions, then the audit and admin messages.
            RedisControlRelay relay = new RedisControlRelay(control, instance, executor);
            control.onControl(message -> {
                directory.onControl(message);
                relay.onControl(message);
            });
            controlRelay = relay;
        }
        if (config.jwt().developmentMode()) {
            developmentSecret = new byte[32];
            new SecureRandom().nextBytes(developmentSecret);
        }
    }

    @PreDestroy
    void close() {
        stopIngest();
        if (commandSink instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "closing the command stream failed", e);
            }
        }
        try {
            if (shared != null) {
                shared.close();
            }
        } catch (Exception e) {
            LOG.log(Level.WARNING, "closing the shared state failed", e);
        }
        try {
            if (broker instanceof AutoCloseable closeable) {
                closeable.close();
            }
        } catch (Exception e) {
            LOG.log(Level.WARNING, "closing the broker failed", e);
        } finally {
            database.close();
        }
    }

    /** This start of this instance, as the other instances, the lease and the streams know it. */
    @Produces
    @Singleton
    InstanceId instanceId() {
        return instance;
    }

    /** The database behind the event store, for the readiness check and the store metrics. */
    @Produces
    @Singleton
    StoreProbe storeProbe() {
        return database;
    }

    @Produces
    @Singleton
    Broker broker() {
        return broker;
    }

    /**
     * Redis when {@code herald.redis.url} is set (not yet started): sharded pub/sub on a Redis Cluster
     * when {@code herald.redis.cluster} is true (the URL names one seed node), else plain pub/sub;
     * without a URL the single-instance broker.
     *
     * @throws IllegalArgumentException for settings Herald cannot run with
     */
    static Broker newBroker(HeraldConfig.Broker settings, Executor executor, ScheduledExecutorService scheduler) {
        if (settings.redisCluster()) {
            return new RedisClusterBroker(settings.redisUrl().orElseThrow(() -> new IllegalArgumentException(
                    "herald.redis.cluster needs herald.redis.url, the address of one node of the cluster")),
                    executor, scheduler);
        }
        return settings.redisUrl()
                .<Broker>map(url -> new RedisBroker(url, executor, scheduler))
                .orElseGet(InMemoryBroker::new);
    }

    /** The Redis command stream when {@code herald.redis.url} is set (on the cluster when {@code herald.redis.cluster}), else none. */
    static CommandSink newCommandSink(HeraldConfig config, Clock clock) {
        HeraldConfig.Streams streams = config.streams();
        return config.broker().redisUrl()
                .<CommandSink>map(url -> new RedisCommandStream(url, config.broker().redisCluster(), streams.commandsStream(),
                        streams.commandsMaxLength(), clock))
                .orElse(CommandSink.NONE);
    }

    @Produces
    @Singleton
    CommandSink commandSink() {
        return commandSink;
    }

    /**
     * Starts consuming the Redis ingest stream when {@code herald.redis.url} is set and
     * {@code herald.ingest.enabled} is not false. Called once the store and broker it publishes
     * through are open; {@link #stopIngest()} (or closing) ends it.
     */
    public void startIngest(PublishService publishing) {
        HeraldConfig.Streams streams = config.streams();
        if (config.broker().redisUrl().isEmpty() || !streams.ingestEnabled() || ingest != null) {
            return;
        }
        RedisIngestStream stream = new RedisIngestStream(config.broker().redisUrl().get(), config.broker().redisCluster(),
                streams.ingestStream(),
                streams.rejectedStream(), RedisIngestStream.consumerName(instance), publishing, loops);
        ingest = stream;
        stream.start();
    }

    /** Stops consuming the ingest stream, within a few seconds; harmless when it does not run. */
    public void stopIngest() {
        RedisIngestStream stream = ingest;
        if (stream != null) {
            stream.close();
        }
    }

    @Produces
    @Singleton
    ConnectionDirectory connectionDirectory() {
        return shared.directory();
    }

    @Produces
    @Singleton
    Presence presence() {
        return shared.presence();
    }

    /** The state instances share, and the Redis connections it uses when there is Redis. */
    record Shared(ConnectionDirectory directory, Presence presence, Optional<RedisCommands> redis) implements AutoCloseable {

        /** Removes this instance's entries from Redis, so they stop counting now rather than after their time to live. */
        @Override
        public void close() throws Exception {
            try {
                if (directory instanceof AutoCloseable closeable) {
                    closeable.close();
                }
                if (presence instanceof AutoCloseable closeable) {
                    closeable.close();
                }
            } finally {
                if (redis.isPresent()) {
                    redis.get().close();
                }
            }
        }
    }

    /**
     * The connection directory and presence: in Redis (one node or a cluster) when
     * {@code herald.redis.url} is set, evictions then travel on the Redis broker's control channel;
     * else this instance's own.
     */
    static Shared newShared(HeraldConfig config, InstanceId instance, Broker broker, Executor executor) {
        int limit = config.limits().connectionsPerUser();
        return config.broker().redisUrl().map(url -> {
            if (!(broker instanceof ControlChannel control)) {
                throw new IllegalStateException("herald.redis.url is set but the broker is " + broker);
            }
            RedisCommands redis = new RedisCommands(url, config.broker().redisCluster(), "herald-state");
            Duration ttl = config.presence().ttl();
            RedisConnectionDirectory directory = new RedisConnectionDirectory(redis, control, instance, limit, ttl, executor);
            control.onControl(directory::onControl);
            return new Shared(directory, new RedisPresence(redis, instance, ttl), Optional.of(redis));
        }).orElseGet(() -> new Shared(new InMemoryConnectionDirectory(instance, limit), new InMemoryPresence(),
                Optional.empty()));
    }

    /** Concurrent single publishes share transactions (group commit); batches are one transaction each. */
    @Produces
    @Singleton
    EventStore eventStore() {
        return new GroupCommitEventStore(new JpaEventStore(database.entityManagerFactory(), clock));
    }

    @Produces
    @Singleton
    AckStore ackStore() {
        return new JpaAckStore(database.entityManagerFactory(), clock);
    }

    @Produces
    @Singleton
    RetentionStore retentionStore() {
        return new JpaRetentionStore(database.entityManagerFactory());
    }

    @Produces
    @Singleton
    Leases leases() {
        return new JpaLeases(database.entityManagerFactory(), clock);
    }

    @Produces
    @Singleton
    AuditStore auditStore() {
        return new JpaAuditStore(database.entityManagerFactory());
    }

    /** With Redis, audit records reach the other instances' watchers on the control channel; alone, nobody else. */
    @Produces
    @Singleton
    AuditRelay auditRelay() {
        return controlRelay == null ? AuditRelay.LOCAL : controlRelay;
    }

    /** With Redis, disconnect orders reach the other instances on the control channel; alone, every connection is local. */
    @Produces
    @Singleton
    DisconnectRelay disconnectRelay() {
        return controlRelay == null ? DisconnectRelay.LOCAL : controlRelay;
    }

    @Produces
    @Singleton
    TokenVerifier tokenVerifier() {
        // Each WebSocket handshake's token is checked twice (before the upgrade and when the
        // connection opens), and reconnecting clients bring the same token again.
        return new CachedTokenVerifier(new NimbusTokenVerifier(config.jwt(), developmentSecret), clock,
                VERIFIED_TOKENS, VERIFIED_TOKEN_MAX_AGE, config.jwt().clockSkew());
    }

    @Produces
    @Singleton
    DevelopmentMode developmentMode() {
        return new DevelopmentMode(
                Optional.ofNullable(developmentSecret).map(secret -> new NimbusTokenIssuer(secret, clock)),
                config.dev().allowRemote());
    }

    /** The JDBC URL without credentials that some drivers allow inside it. */
    static String describe(String url) {
        int params = url.indexOf('?');
        return params < 0 ? url : url.substring(0, params);
    }
}
