package dev.herald.application.audit;

import java.util.List;
import java.util.Optional;

/** One page of records, newest first, and where the next page starts when there may be one. */
public record AuditPage(List<AuditRecord> items, Optional<AuditQuery.Cursor> next) {

    public AuditPage {
        items = List.copyOf(items);
    }

    /** The page of a query that read up to {@code limit + 1} rows: the extra row only says there is more. */
    public static AuditPage of(List<AuditRecord> rows, int limit) {
        if (rows.size() <= limit) {
            return new AuditPage(rows, Optional.empty());
        }
        List<AuditRecord> page = rows.subList(0, limit);
        return new AuditPage(page, Optional.of(AuditQuery.Cursor.of(page.get(limit - 1))));
    }
}
