package dev.herald.testing;

import dev.herald.application.audit.AuditPage;
import dev.herald.application.audit.AuditQuery;
import dev.herald.application.audit.AuditRecord;
import dev.herald.application.audit.AuditStore;
import dev.herald.domain.StoreUnavailableException;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/** {@link AuditStore} in memory, with a switch that makes it unreachable. */
public final class InMemoryAuditStore implements AuditStore {

    /** Newest first by (time, id), the search order. */
    private static final Comparator<AuditRecord> NEWEST_FIRST =
            Comparator.comparing(AuditRecord::time).thenComparing(AuditRecord::id).reversed();

    private final TreeMap<AuditRecord, AuditRecord> records = new TreeMap<>(NEWEST_FIRST);
    private volatile boolean down;

    public void down(boolean down) {
        this.down = down;
    }

    public synchronized int size() {
        return records.size();
    }

    @Override
    public synchronized void append(List<AuditRecord> batch) {
        requireUp();
        if (batch.stream().anyMatch(r -> records.keySet().stream().anyMatch(o -> o.id().equals(r.id())))) {
            throw new IllegalStateException("duplicate audit id");
        }
        batch.forEach(r -> records.put(r, r));
    }

    @Override
    public synchronized AuditPage search(AuditQuery query) {
        requireUp();
        List<AuditRecord> rows = records.keySet().stream()
                .filter(r -> query.filter().matches(r))
                .filter(r -> query.from().map(f -> !r.time().isBefore(f)).orElse(true))
                .filter(r -> query.to().map(t -> r.time().isBefore(t)).orElse(true))
                .filter(r -> query.cursor().map(c -> r.time().isBefore(c.time())
                        || r.time().equals(c.time()) && r.id().compareTo(c.id()) < 0).orElse(true))
                .limit(query.limit() + 1L)
                .toList();
        return AuditPage.of(rows, query.limit());
    }

    @Override
    public synchronized int deleteOlderThan(Instant cutoff, int limit) {
        requireUp();
        List<AuditRecord> old = records.descendingKeySet().stream().filter(r -> r.time().isBefore(cutoff)).limit(limit).toList();
        old.forEach(records::remove);
        return old.size();
    }

    private void requireUp() {
        if (down) {
            throw new StoreUnavailableException("the audit store is down (test switch)", null);
        }
    }
}
