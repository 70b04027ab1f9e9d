package dev.herald.application;

import dev.herald.application.config.HeraldConfig;
import dev.herald.application.session.InstanceId;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Leases;
import dev.herald.domain.RetentionStore;
import dev.herald.domain.RetentionStore.ChannelHead;
import dev.herald.domain.Sequence;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Retention: deletes the events beyond {@code herald.retention.max-events} per channel and those
 * older than {@code herald.retention.max-age}, oldest first, {@code batch-size} rows per
 * transaction. Every instance calls {@link #sweep} on the retention interval; the one that gets the
 * {@value #LEASE} lease does the work, so the database sees one sweep at a time however many
 * instances run.
 *
 * <p>Clients need nothing from this class: a replay from a position whose events were deleted
 * answers {@code recovered:false} because {@link dev.herald.domain.EventStore#earliest} moved, and
 * the hub skips deleted events it would otherwise repair. Heads are never deleted, so numbering
 * continues.
 */
@ApplicationScoped
public class RetentionService {

    private static final Logger LOG = Logger.getLogger(RetentionService.class.getName());

    static final String LEASE = "retention";
    /**
     * How long the lease outlives its last renewal: how long a crashed sweeper keeps the others
     * waiting. A sweep renews well before, so it only has to outlast one statement and a GC pause.
     */
    static final Duration LEASE_TTL = Duration.ofMinutes(1);
    /** Renew once this much of the lease has passed; between renewals the lease is certainly still ours. */
    static final Duration RENEW_AFTER = LEASE_TTL.dividedBy(3);

    private RetentionStore store;
    private Leases leases;
    private HeraldConfig.Retention settings;
    private Clock clock;
    private String owner;
    /** The lease admits its owner again, so two sweeps of one instance must be kept apart here. */
    private final AtomicBoolean running = new AtomicBoolean();

    protected RetentionService() {
        // for CDI proxies
    }

    @Inject
    public RetentionService(RetentionStore store, Leases leases, HeraldConfig config, Clock clock, InstanceId instance) {
        this(store, leases, config, clock, "herald-" + instance);
    }

    /** @param owner this instance's name in the lease, different on every instance */
    public RetentionService(RetentionStore store, Leases leases, HeraldConfig config, Clock clock, String owner) {
        this.store = store;
        this.leases = leases;
        this.settings = config.retention();
        this.clock = clock;
        this.owner = owner;
    }

    /** What a sweep did, for the log. */
    public record Sweep(Outcome outcome, int channels, long deleted) {

        public enum Outcome {
            /** Both limits are zero: nothing is ever deleted. */
            DISABLED,
            /** Another instance holds the lease and sweeps. */
            NOT_LEASE_HOLDER,
            /** An earlier sweep of this instance is still running. */
            ALREADY_RUNNING,
            /** Every channel was visited. */
            COMPLETED,
            /** The lease lapsed during the sweep (a long pause); the sweep stopped, the next one goes on. */
            LEASE_LOST
        }

        @Override
        public String toString() {
            return "retention sweep " + outcome.name().toLowerCase(Locale.ROOT).replace('_', ' ')
                    + ": " + channels + " channels visited, " + deleted + " events deleted";
        }
    }

    /**
     * Runs one sweep if this instance gets the lease, and releases the lease when done.
     *
     * @throws dev.herald.domain.StoreUnavailableException when the database is down; the next sweep tries again
     */
    public Sweep sweep() {
        if (!settings.enabled()) {
            return new Sweep(Sweep.Outcome.DISABLED, 0, 0);
        }
        if (!running.compareAndSet(false, true)) {
            return new Sweep(Sweep.Outcome.ALREADY_RUNNING, 0, 0);
        }
        try {
            if (!leases.tryAcquire(LEASE, owner, LEASE_TTL)) {
                return new Sweep(Sweep.Outcome.NOT_LEASE_HOLDER, 0, 0);
            }
            Run run = new Run(clock.instant());
            try {
                boolean completed = run.everyChannel();
                return new Sweep(completed ? Sweep.Outcome.COMPLETED : Sweep.Outcome.LEASE_LOST, run.channels, run.deleted);
            } finally {
                if (run.holding) {
                    releaseQuietly();
                }
            }
        } finally {
            running.set(false);
        }
    }

    private void releaseQuietly() {
        try {
            leases.release(LEASE, owner);
        } catch (RuntimeException e) {
            // The database is likely down; the lease expires by itself.
            LOG.log(Level.FINE, "releasing the retention lease failed", e);
        }
    }

    /** One sweep's state. */
    private final class Run {
        private final int batch = settings.batchSize();
        private final long maxEvents = settings.maxEvents();
        private final Optional<Instant> cutoff;
        private Instant renewedAt;
        private boolean holding = true;
        private int channels;
        private long deleted;

        Run(Instant start) {
            this.renewedAt = start;
            this.cutoff = cutoff(start, settings.maxAge());
        }

        /** @return false when the lease was lost on the way */
        boolean everyChannel() {
            Optional<ChannelName> after = Optional.empty();
            while (stillHolding()) {
                List<ChannelHead> page = store.channels(after, batch);
                for (ChannelHead channel : page) {
                    channels++;
                    if (!trimToMaxEvents(channel) || !trimToMaxAge(channel.channel())) {
                        return false;
                    }
                }
                if (page.size() < batch) {
                    return true;
                }
                after = Optional.of(page.get(page.size() - 1).channel());
            }
            return false;
        }

        private boolean trimToMaxEvents(ChannelHead channel) {
            long excess = channel.head().value() - maxEvents;
            if (maxEvents == 0 || excess <= 0) {
                return true;
            }
            // The head may have moved on since the listing; trimming to the listed one keeps a few more, never fewer.
            Sequence upTo = Sequence.of(excess);
            while (stillHolding()) {
                int n = store.deleteThrough(channel.channel(), upTo, batch);
                deleted += n;
                if (n < batch) {
                    return true;
                }
            }
            return false;
        }

        private boolean trimToMaxAge(ChannelName channel) {
            if (cutoff.isEmpty()) {
                return true;
            }
            while (stillHolding()) {
                Optional<Sequence> old = store.lastOlderThan(channel, cutoff.get(), batch);
                if (old.isEmpty()) {
                    return true;
                }
                int n = store.deleteThrough(channel, old.get(), batch);
                deleted += n;
                if (n < batch) {
                    // The run of old events ended inside this batch (or another sweeper got there first).
                    return true;
                }
            }
            return false;
        }

        /** Renews the lease when a third of it has passed; false, for good, once it is lost. */
        private boolean stillHolding() {
            if (!holding) {
                return false;
            }
            Instant now = clock.instant();
            if (Duration.between(renewedAt, now).compareTo(RENEW_AFTER) < 0) {
                return true;
            }
            if (leases.renew(LEASE, owner, LEASE_TTL)) {
                renewedAt = now;
                return true;
            }
            holding = false;
            LOG.warning(() -> "the retention lease lapsed during a sweep; stopped after " + deleted + " events");
            return false;
        }
    }

    /** Events stamped before this are too old; empty when age is no limit. */
    private static Optional<Instant> cutoff(Instant now, Duration maxAge) {
        if (maxAge.isZero()) {
            return Optional.empty();
        }
        try {
            return Optional.of(now.minus(maxAge));
        } catch (DateTimeException | ArithmeticException e) {
            return Optional.empty(); // older than time itself: nothing is that old
        }
    }
}
