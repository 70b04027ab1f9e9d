package dev.herald.infrastructure;

import dev.herald.application.PublishService;
import dev.herald.application.RetentionService;
import dev.herald.application.admin.AdminService;
import dev.herald.application.audit.AuditTrail;
import dev.herald.application.broker.Broker;
import dev.herald.application.config.HeraldConfig;
import dev.herald.application.delivery.Hub;
import dev.herald.application.presence.Presence;
import dev.herald.application.security.DevelopmentMode;
import dev.herald.application.session.ClientSession;
import dev.herald.application.session.CloseCode;
import dev.herald.application.session.ConnectionDirectory;
import dev.herald.application.session.ConnectionMonitor;
import dev.herald.application.session.Drain;
import dev.herald.application.session.SessionRegistry;
import dev.herald.domain.StoreUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Start-up and shutdown: opens the store eagerly, starts the connection monitor, the head checks,
 * retention and the renewal of shared state, says how to get a token.
 */
@ApplicationScoped
public class Lifecycle {

    private static final Logger LOG = Logger.getLogger(Lifecycle.class.getName());

    @Inject
    Backends backends;

    @Inject
    HeraldConfig config;

    @Inject
    DevelopmentMode developmentMode;

    @Inject
    ConnectionMonitor monitor;

    @Inject
    SessionRegistry sessions;

    @Inject
    ScheduledExecutorService scheduler;

    @Inject
    Hub hub;

    @Inject
    Broker broker;

    @Inject
    RetentionService retention;

    @Inject
    Executor executor;

    @Inject
    PublishService publishing;

    @Inject
    ConnectionDirectory directory;

    @Inject
    Presence presence;

    @Inject
    AuditTrail audit;

    @Inject
    AdminService admin;

    @Inject
    Drain drain;

    private ScheduledFuture<?> sweeps;
    private ScheduledFuture<?> auditFlushes;
    private ScheduledFuture<?> renewals;
    private ScheduledFuture<?> headChecks;
    private ScheduledFuture<?> retentionSweeps;
    private volatile long lastHeadCheck;
    private Thread shutdownHook;

    void started(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        backends.toString(); // opens the database and runs migrations now, not on the first client
        backends.startIngest(publishing);
        long period = monitor.period().toMillis();
        sweeps = scheduler.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.MILLISECONDS);
        long poll = config.broker().pollInterval().toMillis();
        headChecks = scheduler.scheduleWithFixedDelay(this::checkHeads, poll, poll, TimeUnit.MILLISECONDS);
        long retentionEvery = config.retention().interval().toMillis();
        retentionSweeps = scheduler.scheduleWithFixedDelay(this::startRetentionSweep, retentionEvery, retentionEvery, TimeUnit.MILLISECONDS);
        long renewEvery = config.presence().refreshInterval().toMillis();
        renewals = scheduler.scheduleWithFixedDelay(this::startRenewal, renewEvery, renewEvery, TimeUnit.MILLISECONDS);
        admin.toString(); // listens for other instances' disconnect orders from now on
        long flushEvery = config.audit().flushInterval().toMillis();
        auditFlushes = scheduler.scheduleWithFixedDelay(this::startAuditFlush, flushEvery, flushEvery, TimeUnit.MILLISECONDS);
        // On SIGTERM Payara Micro's own hook sleeps --shutdowngrace, then stops the listeners and
        // only then undeploys: the undeploy event below would come too late to reach clients.
        // JVM hooks run concurrently, so this one drains while Payara's sleeps (docs/operations.md).
        // Payara Micro also deletes the unpacked WAR from a hook: load what the drain needs first.
        long preloadStart = System.nanoTime();
        int preloaded = ClassPreloader.preload(Lifecycle.class);
        LOG.fine(() -> "preloaded " + preloaded + " application classes for the shutdown drain in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - preloadStart) + " ms");
        shutdownHook = new Thread(() -> drainConnections(true), "herald-drain");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        if (developmentMode.enabled()) {
            LOG.warning("""

                    ************************************************************************
                    Herald is running in DEVELOPMENT MODE: no JWT key is configured
                    (herald.jwt.secret, herald.jwt.public-key or herald.jwt.jwks-url).
                    Tokens are signed with a random secret that changes at every start.
                    Get one for any user, roles and grants from this machine:
                      curl 'http://localhost:8080/api/dev/token?sub=alice&channels=diagnosis:*&publish=diagnosis:*'
                    Never run production like this.
                    ************************************************************************""");
        }
        LOG.info(() -> "Herald started: heartbeat " + config.connection().heartbeatInterval().toMillis() + " ms, sweep every "
                + period + " ms");
    }

    /**
     * Runs every poll interval; compares heads every head-check interval, or at every run while
     * the broker is disconnected, when polling the store is how events still arrive.
     */
    private void checkHeads() {
        long now = System.nanoTime();
        if (broker.isConnected() && now - lastHeadCheck < config.broker().headCheckInterval().toNanos()) {
            return;
        }
        lastHeadCheck = now;
        try {
            // Connected, a channel is behind only when a head the previous check saw is still not delivered.
            int behind = broker.isConnected() ? hub.checkOverdueHeads() : hub.checkHeads();
            if (behind > 0 && broker.isConnected()) {
                LOG.fine(() -> behind + " channels were behind their stored head; delivered from the store");
            }
        } catch (RuntimeException e) {
            // The store may be down; the next run tries again.
            LOG.log(Level.FINE, "head check failed", e);
        }
    }

    /** Hands the sweep to the managed executor so a long sweep never holds up heartbeats and head checks. */
    private void startRetentionSweep() {
        try {
            executor.execute(this::sweepRetention);
        } catch (RejectedExecutionException e) {
            LOG.log(Level.FINE, "retention sweep not started; the next tick tries again", e);
        }
    }

    /** On the managed executor: writing waits for the database, which must not hold up heartbeats. */
    private void startAuditFlush() {
        try {
            executor.execute(this::flushAudit);
        } catch (RejectedExecutionException e) {
            LOG.log(Level.FINE, "audit flush not started; the next tick tries again", e);
        }
    }

    private void flushAudit() {
        try {
            audit.flush();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "audit flush failed", e);
        }
    }

    /** On the managed executor: renewing waits for Redis, which must not hold up heartbeats. */
    private void startRenewal() {
        try {
            executor.execute(this::renew);
        } catch (RejectedExecutionException e) {
            LOG.log(Level.FINE, "renewal of shared state not started; the next tick tries again", e);
        }
    }

    /** Keeps this instance's connections and subscriptions alive in the state instances share. */
    private void renew() {
        try {
            directory.refresh();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "renewing this instance's connections failed", e);
        }
        try {
            presence.refresh();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "renewing this instance's presence failed", e);
        }
    }

    private void sweepRetention() {
        try {
            long auditDeleted = audit.sweepRetention();
            if (auditDeleted > 0) {
                LOG.info(() -> "audit retention: " + auditDeleted + " records deleted");
            }
            RetentionService.Sweep sweep = retention.sweep();
            if (sweep.deleted() > 0 || sweep.outcome() == RetentionService.Sweep.Outcome.LEASE_LOST) {
                LOG.info(sweep::toString);
            } else {
                LOG.fine(sweep::toString);
            }
        } catch (StoreUnavailableException e) {
            LOG.warning(() -> "retention sweep skipped: " + e.getMessage());
        } catch (RuntimeException e) {
            // Keep the schedule alive: a failed sweep must not stop retention for good.
            LOG.log(Level.SEVERE, "retention sweep failed", e);
        }
    }

    private void sweep() {
        try {
            monitor.sweep();
        } catch (RuntimeException e) {
            // Keep the schedule alive: a failed sweep must not stop heartbeats for good.
            LOG.log(Level.SEVERE, "connection sweep failed", e);
        }
    }

    /**
     * Whether this instance is shutting down: new connections are refused with 503 and readiness
     * should report DOWN, so load balancers stop routing here.
     */
    public boolean draining() {
        return drain.draining();
    }

    void stopping(@Observes @BeforeDestroyed(ApplicationScoped.class) Object ignored) {
        // An undeploy drains here; after SIGTERM this waits for the hook's drain to end.
        drainConnections(false);
        if (sweeps != null) {
            backends.stopIngest(); // while the beans it publishes through still exist
            sweeps.cancel(false);
            headChecks.cancel(false);
            retentionSweeps.cancel(false);
            renewals.cancel(false);
            auditFlushes.cancel(false);
        }
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook runs or ran already
            }
        }
        closeAll();
        flushAudit(); // the disconnects of the shutdown, while the store is still open
    }

    /** Tells every client to reconnect (1012), spread over herald.shutdown.drain, while broker and store still run. */
    private void drainConnections(boolean jvmShutdown) {
        HeraldConfig.Shutdown shutdown = config.shutdown();
        Duration window = jvmShutdown ? windowWithin(shutdown, Long.getLong(PAYARA_SHUTDOWN_GRACE, 0)) : shutdown.drain();
        if (window.compareTo(shutdown.drain()) < 0) {
            LOG.warning(() -> "draining over " + window.toMillis() + " ms instead of herald.shutdown.drain: Payara stops its listeners after "
                    + PAYARA_SHUTDOWN_GRACE + "=" + Long.getLong(PAYARA_SHUTDOWN_GRACE, 0) + " ms; set --shutdowngrace longer than the drain");
        }
        try {
            if (!drain.drain(window, shutdown.patience())) {
                LOG.warning("drain ended with connections still open; they are closed now");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            // In a shutdown hook an escaping error would end the thread silently, leaving every client to the listener stop.
            closeAll();
            LOG.log(Level.SEVERE, "drain failed; every connection was closed at once", e);
        }
    }

    /** Payara's shutdown grace in ms (also set by --shutdowngrace): how long its listeners stay up after SIGTERM. */
    static final String PAYARA_SHUTDOWN_GRACE = "fish.payara.shutdowngrace";

    /**
     * The drain window on SIGTERM: herald.shutdown.drain, cut to what the listeners allow. Closes
     * planned after the listeners stop would never reach anyone, and the clients would see their
     * connections drop (1006) instead: better all at once with 1012.
     */
    static Duration windowWithin(HeraldConfig.Shutdown shutdown, long graceMillis) {
        Duration allowed = Duration.ofMillis(graceMillis).minus(shutdown.patience());
        if (allowed.isNegative()) {
            return Duration.ZERO;
        }
        return allowed.compareTo(shutdown.drain()) < 0 ? allowed : shutdown.drain();
    }

    /** Whatever is still open: they resume from their last sequence elsewhere or after the restart. */
    private void closeAll() {
        for (ClientSession session : sessions.all()) {
            session.close(CloseCode.SERVICE_RESTART, "server shutting down; reconnect and resume");
        }
    }
}
