package dev.herald.application.audit;

import dev.herald.application.ErrorCode;
import dev.herald.application.HeraldException;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * One page of an audit search, newest first: records matching the filter with {@code from <= time < to},
 * at most {@code limit}, strictly after {@code cursor} in (time, id) descending order.
 */
public record AuditQuery(AuditFilter filter, Optional<Instant> from, Optional<Instant> to, int limit,
                         Optional<Cursor> cursor) {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    public AuditQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new HeraldException(ErrorCode.INVALID_FIELD, "limit must be between 1 and " + MAX_LIMIT);
        }
    }

    public static AuditQuery newest(AuditFilter filter, int limit) {
        return new AuditQuery(filter, Optional.empty(), Optional.empty(), limit, Optional.empty());
    }

    public AuditQuery after(Cursor next) {
        return new AuditQuery(filter, from, to, limit, Optional.of(next));
    }

    /**
     * A position in the (time, id) descending order: the last record of a page. Paging by it is
     * stable while records are added: a later page never repeats a record nor skips one that was
     * already stored when the first page was read.
     */
    public record Cursor(Instant time, String id) {

        public static Cursor of(AuditRecord last) {
            return new Cursor(last.time(), last.id());
        }

        /** Opaque to clients: base64url of {@code <epoch ms>:<id>}. */
        public String encode() {
            String plain = time.toEpochMilli() + ":" + id;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
        }

        /** @throws HeraldException {@code invalid_field} for anything {@link #encode} did not write */
        public static Cursor decode(String text) {
            try {
                String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
                int colon = plain.indexOf(':');
                String id = plain.substring(colon + 1);
                if (colon < 1 || id.isEmpty() || id.length() > 64) {
                    throw new IllegalArgumentException("no id");
                }
                return new Cursor(Instant.ofEpochMilli(Long.parseLong(plain.substring(0, colon))), id);
            } catch (RuntimeException e) {
                throw new HeraldException(ErrorCode.INVALID_FIELD, "cursor is not one this server returned in 'next'");
            }
        }
    }
}
