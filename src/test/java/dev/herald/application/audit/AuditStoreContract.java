package dev.herald.application.audit;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link AuditStore} guarantees, run against each implementation. Every test writes
 * records of its own run (a unique user or channel) so implementations may share one database.
 */
public abstract class AuditStoreContract {

    protected abstract AuditStore store();

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private static AuditRecord record(String id, Instant time, AuditType type, AuditOutcome outcome, String user, String channel) {
        return new AuditRecord(id, time, type, outcome, user, "inst-1", "conn-" + id, "websocket", channel,
                "{\"code\":4011,\"reason\":\"quote \\\" and unicode é\"}");
    }

    private static String unique() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void storedRecordsComeBackFieldForFieldNewestFirst() {
        String user = "u-" + unique();
        AuditRecord older = record(unique(), T0, AuditType.CONNECT, AuditOutcome.OK, user, null);
        AuditRecord newer = new AuditRecord(unique(), T0.plusMillis(1), AuditType.DISCONNECT, AuditOutcome.OK, user, "inst-2",
                null, null, "diagnosis:42", "{}");
        store().append(List.of(older, newer));

        AuditPage page = store().search(query(AuditFilter.parse(null, user, null, null), 10));

        assertEquals(List.of(newer, older), page.items());
        assertTrue(page.next().isEmpty(), "everything fit on one page");
    }

    @Test
    void filtersByTypeUserOutcomeAndChannelPrefix() {
        String u = unique();
        String alice = "alice-" + u;
        String ns = "ns" + u.replace("-", "").toLowerCase();
        AuditRecord publish = record(unique(), T0, AuditType.PUBLISH, AuditOutcome.OK, alice, ns + ":a_1");
        AuditRecord denied = record(unique(), T0.plusMillis(1), AuditType.SUBSCRIBE_DENIED, AuditOutcome.DENIED, alice, ns + ":b");
        AuditRecord otherNamespace = record(unique(), T0.plusMillis(2), AuditType.PUBLISH, AuditOutcome.OK, alice, ns + "x:a");
        AuditRecord underscoreIsNoWildcard = record(unique(), T0.plusMillis(3), AuditType.PUBLISH, AuditOutcome.OK, alice, ns + ":aX1");
        store().append(List.of(publish, denied, otherNamespace, underscoreIsNoWildcard));

        assertEquals(List.of(underscoreIsNoWildcard, otherNamespace, publish),
                store().search(query(AuditFilter.parse("publish", alice, null, null), 10)).items());
        assertEquals(List.of(denied), store().search(query(AuditFilter.parse(null, alice, null, "denied"), 10)).items());
        assertEquals(List.of(underscoreIsNoWildcard, denied, publish),
                store().search(query(AuditFilter.parse(null, null, ns + ":", null), 10)).items());
        assertEquals(List.of(publish), store().search(query(AuditFilter.parse(null, null, ns + ":a_", null), 10)).items());
        assertEquals(List.of(), store().search(query(AuditFilter.parse(null, "bob-" + u, null, null), 10)).items());
    }

    @Test
    void timeRangeIncludesFromAndExcludesTo() {
        String user = "u-" + unique();
        AuditRecord a = record(unique(), T0, AuditType.CONNECT, AuditOutcome.OK, user, null);
        AuditRecord b = record(unique(), T0.plusSeconds(1), AuditType.CONNECT, AuditOutcome.OK, user, null);
        AuditRecord c = record(unique(), T0.plusSeconds(2), AuditType.CONNECT, AuditOutcome.OK, user, null);
        store().append(List.of(a, b, c));

        AuditQuery q = new AuditQuery(AuditFilter.parse(null, user, null, null), Optional.of(T0.plusSeconds(1)),
                Optional.of(T0.plusSeconds(2)), 10, Optional.empty());

        assertEquals(List.of(b), store().search(q).items());
    }

    @Test
    void cursorPagesNeitherRepeatNorSkipWhileRecordsAreAdded() {
        String user = "u-" + unique();
        List<AuditRecord> stored = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            // Pairs share a millisecond: the id breaks the tie.
            stored.add(record(unique(), T0.plusMillis(i / 2), AuditType.PUBLISH, AuditOutcome.OK, user, "c:x"));
        }
        store().append(stored);
        AuditQuery first = query(AuditFilter.parse(null, user, null, null), 3);

        AuditPage page = store().search(first);
        Set<String> seen = new HashSet<>();
        page.items().forEach(r -> seen.add(r.id()));
        store().append(List.of(record(unique(), T0.plusSeconds(60), AuditType.PUBLISH, AuditOutcome.OK, user, "c:x")));
        int pages = 1;
        while (page.next().isPresent()) {
            page = store().search(first.after(page.next().get()));
            pages++;
            for (AuditRecord r : page.items()) {
                assertTrue(seen.add(r.id()), "record " + r.id() + " came twice");
            }
        }

        assertEquals(7, seen.size(), "every record stored before the first page, once");
        assertEquals(3, pages);
    }

    @Test
    void deletesOnlyOlderRecordsAtMostLimitAtATime() {
        String user = "u-" + unique();
        List<AuditRecord> old = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            old.add(record(unique(), Instant.parse("2000-01-01T00:00:00Z").plusMillis(i), AuditType.CONNECT, AuditOutcome.OK, user, null));
        }
        AuditRecord young = record(unique(), Instant.parse("2000-01-02T00:00:00Z"), AuditType.CONNECT, AuditOutcome.OK, user, null);
        store().append(old);
        store().append(List.of(young));
        Instant cutoff = Instant.parse("2000-01-01T12:00:00Z");

        int first = store().deleteOlderThan(cutoff, 3);
        int second = store().deleteOlderThan(cutoff, 3);
        int third = store().deleteOlderThan(cutoff, 3);

        assertEquals(List.of(3, 2, 0), List.of(first, second, third), "a full batch, the rest, then nothing");
        assertEquals(List.of(young), store().search(query(AuditFilter.parse(null, user, null, null), 10)).items());
    }

    private static AuditQuery query(AuditFilter filter, int limit) {
        return AuditQuery.newest(filter, limit);
    }
}
