package dev.herald.application.audit;

import dev.herald.application.config.HeraldConfig;
import dev.herald.application.metrics.HeraldMetrics;
import dev.herald.application.session.InstanceId;
import dev.herald.domain.Leases;
import dev.herald.domain.StoreUnavailableException;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The audit trail: stamps each {@link AuditEvent} (id, time, instance), shows it at once to this
 * instance's {@code /ws/audit} watchers, and queues it for the store and, when there are other
 * instances ({@link AuditRelay#LOCAL} means none), for their watchers. {@link #flush} drains both
 * queues in batches on a background task, the relay's between the store's batches too, so
 * recording costs the caller a queue offer while the store keeps up.
 *
 * <p>Overload and outages: each queue holds {@code herald.audit.queue-size} records. When the
 * store's queue is full and the store is up, the recorder waits up to {@code herald.audit.max-wait}
 * for room (back-pressure: publishers slow down to what the database writes rather than records
 * being lost), and only then is the record dropped and counted (a throttled warning says how
 * many). While the store is unreachable, and always for the other instances' queue, a record that
 * finds its queue full is dropped and counted at once. A batch
 * the store cannot take because it is unreachable is kept and retried at the next flush while the
 * queue fills behind it; a batch the store refuses for another reason is dropped and counted.
 * Retention deletes records older than {@code herald.audit.max-age}, in batches, on one instance at
 * a time (the {@value #LEASE} lease).
 */
@ApplicationScoped
public class AuditTrail implements AuditLog {

    private static final Logger LOG = Logger.getLogger(AuditTrail.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    static final String LEASE = "audit-retention";
    static final Duration LEASE_TTL = Duration.ofMinutes(1);

    private AuditStore store;
    private AuditRelay relay;
    private Leases leases;
    private Clock clock;
    private String instance;
    private HeraldConfig.Audit settings;
    private Outbox toStore;
    private Outbox toInstances;
    private final AuditFeed feed = new AuditFeed();
    private final ChannelRates rates = new ChannelRates();
    private final AtomicBoolean flushing = new AtomicBoolean();
    private final AtomicLong storeFailures = new AtomicLong();
    private final AtomicLong counter = new AtomicLong();
    private final String idSuffix = randomSuffix();
    private volatile List<AuditRecord> retry = List.of();
    private volatile boolean storeUp = true;
    private HeraldMetrics metrics = new HeraldMetrics();

    protected AuditTrail() {
        // for CDI proxies
    }

    @Inject
    public AuditTrail(AuditStore store, AuditRelay relay, Leases leases, HeraldConfig config, Clock clock, InstanceId instance) {
        this.store = store;
        this.relay = relay;
        this.leases = leases;
        this.clock = clock;
        this.instance = instance.value();
        this.settings = config.audit();
        this.toStore = new Outbox("store", settings.queueSize(), settings.batchSize());
        this.toInstances = new Outbox("relay", settings.queueSize(), settings.batchSize());
    }

    /** Starts receiving other instances' records; CDI calls it once, tests by hand. */
    @PostConstruct
    public void start() {
        relay.onRecords(records -> records.forEach(this::show));
    }

    /** Where publishes, auth failures and limit closes are counted as they are recorded; a private set until CDI injects the shared one. */
    @Inject
    public void countIn(HeraldMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void record(AuditEvent event) {
        metrics.audited(event);
        try {
            AuditRecord record = AuditRecord.of(newId(), clock.instant().truncatedTo(ChronoUnit.MILLIS), instance, event);
            // Back-pressure while the store keeps up at all: wait (bounded) for room rather than lose
            // the record. During an outage the queue holds what it can and the rest is dropped at
            // once: waiting would stall every recorder for as long as the outage lasts.
            toStore.offer(record, storeUp && retry.isEmpty() ? settings.maxWait().toNanos() : 0);
            if (relay != AuditRelay.LOCAL) {
                // Alone there is nobody to carry records to: queueing them only filled a queue that overflowed under load.
                toInstances.offer(record, 0);
            }
            show(record);
        } catch (RuntimeException e) {
            // The guarantee of the port: auditing never breaks what it audits.
            LOG.log(Level.WARNING, "an audit record was lost", e);
            toStore.drop(1);
        }
    }

    private void show(AuditRecord record) {
        if (record.type() == AuditType.PUBLISH && record.channel() != null) {
            rates.mark(record.channel(), clock.millis());
        }
        feed.deliver(record);
    }

    /**
     * Writes what is queued to the store and sends it to the other instances, batch by batch; one
     * flush at a time. Returns the number of records stored.
     */
    public int flush() {
        if (!flushing.compareAndSet(false, true)) {
            return 0;
        }
        try {
            share();
            int stored = 0;
            for (List<AuditRecord> batch = retry.isEmpty() ? toStore.next() : retry; !batch.isEmpty(); batch = toStore.next()) {
                if (!write(batch)) {
                    break;
                }
                stored += batch.size();
                share(); // between store batches too: a long store backlog must not hold up the other instances' live view
            }
            return stored;
        } finally {
            flushing.set(false);
        }
    }

    private void share() {
        toInstances.forEachBatch(batch -> {
            try {
                relay.share(batch);
            } catch (RuntimeException e) {
                toInstances.drop(batch.size());
            }
        });
    }

    /** @return false when the store is unreachable and the batch is kept for the next flush */
    private boolean write(List<AuditRecord> batch) {
        try {
            store.append(batch);
            retry = List.of();
            storeUp = true;
            return true;
        } catch (StoreUnavailableException e) {
            retry = batch;
            storeFailures.incrementAndGet();
            if (storeUp) {
                storeUp = false;
                LOG.warning(() -> "audit records wait for the store: " + e.getMessage());
            }
            return false;
        } catch (RuntimeException e) {
            retry = List.of();
            toStore.drop(batch.size());
            LOG.log(Level.WARNING, "the store refused a batch of " + batch.size() + " audit records; dropped", e);
            return true;
        }
    }

    /** Deletes records older than {@code herald.audit.max-age} if this instance gets the lease; returns how many. */
    public long sweepRetention() {
        if (settings.maxAge().isZero() || !leases.tryAcquire(LEASE, "herald-" + instance, LEASE_TTL)) {
            return 0;
        }
        long deleted = 0;
        try {
            Instant cutoff;
            try {
                cutoff = clock.instant().minus(settings.maxAge());
            } catch (DateTimeException | ArithmeticException e) {
                return 0;
            }
            int n;
            do {
                n = store.deleteOlderThan(cutoff, settings.batchSize());
                deleted += n;
            } while (n == settings.batchSize() && leases.renew(LEASE, "herald-" + instance, LEASE_TTL));
            return deleted;
        } finally {
            try {
                leases.release(LEASE, "herald-" + instance);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "releasing the audit retention lease failed", e);
            }
        }
    }

    public AuditPage search(AuditQuery query) {
        return store.search(query);
    }

    public AuditFeed feed() {
        return feed;
    }

    public ChannelRates rates() {
        return rates;
    }

    private static String randomSuffix() {
        byte[] bytes = new byte[9];
        RANDOM.nextBytes(bytes);
        return "-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Records waiting for the store, including a batch held back by an outage. */
    public long queued() {
        return toStore.size() + retry.size();
    }

    /** Records that were never stored: the queue was full, or the store refused their batch. */
    public long dropped() {
        return toStore.dropped();
    }

    /** Whether the last write reached the store. */
    public boolean storeUp() {
        return storeUp;
    }

    /**
     * {@code <16 hex digits of this trail's counter>-<random suffix of this start>}: unique across
     * instances, and increasing in recording order on one instance, so records of the same
     * millisecond still list newest first.
     */
    private String newId() {
        // Not String.format: the formatter's parsing cost more than the rest of recording a publish.
        String hex = Long.toHexString(counter.incrementAndGet());
        return "0".repeat(16 - hex.length()) + hex + idSuffix;
    }
}
