package dev.herald.application.audit;

import java.time.Instant;
import java.util.List;

/**
 * Durable audit records.
 *
 * <p>Guarantees: {@link #append} stores the whole batch or nothing (ids already stored are an
 * error). {@link #search} returns matching records newest first by (time, id), so paging with the
 * returned cursor neither repeats nor skips records stored before the first page was read.
 * {@link #deleteOlderThan} removes at most {@code limit} of the oldest records, so retention holds
 * short transactions whatever the backlog. A store that cannot be reached throws
 * {@link dev.herald.domain.StoreUnavailableException}.
 */
public interface AuditStore {

    void append(List<AuditRecord> records);

    AuditPage search(AuditQuery query);

    /** @return how many were deleted; fewer than {@code limit} means none older is left */
    int deleteOlderThan(Instant cutoff, int limit);
}
