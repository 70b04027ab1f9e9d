package dev.herald.infrastructure.persistence.jpa;

import dev.herald.application.audit.AuditFilter;
import dev.herald.application.audit.AuditPage;
import dev.herald.application.audit.AuditQuery;
import dev.herald.application.audit.AuditRecord;
import dev.herald.application.audit.AuditStore;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.TypedQuery;
import org.hibernate.Session;

import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link AuditStore} on JPA, table {@code herald_audit}. A batch is one transaction of one JDBC
 * batch of inserts. Searches order by (recorded_at, id) descending and start strictly below the cursor, so
 * pages neither repeat nor skip rows however many are inserted meanwhile. Retention deletes by id
 * the oldest {@code limit} rows below the cutoff: a bounded delete in portable SQL.
 */
public class JpaAuditStore implements AuditStore {

    private final Transactions tx;

    public JpaAuditStore(EntityManagerFactory emf) {
        this.tx = new Transactions(emf);
    }

    @Override
    public void append(List<AuditRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        // Plain JDBC batch on the transaction's connection: a busy gateway records one row per publish,
        // and entity persists cost more per row than the database did.
        tx.inTransaction(em -> {
            em.unwrap(Session.class).doWork(connection -> {
                try (PreparedStatement insert = connection.prepareStatement("insert into herald_audit (id, recorded_at, record_type,"
                        + " outcome, user_name, instance, connection_id, transport, channel, detail) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    for (AuditRecord r : records) {
                        insert.setString(1, r.id());
                        insert.setObject(2, OffsetDateTime.ofInstant(r.time(), ZoneOffset.UTC));
                        insert.setString(3, r.type().wire());
                        insert.setString(4, r.outcome().wire());
                        insert.setString(5, AuditEntity.userOf(r));
                        insert.setString(6, r.instance());
                        insert.setString(7, r.connection());
                        insert.setString(8, r.transport());
                        insert.setString(9, r.channel());
                        insert.setString(10, AuditEntity.detailOf(r));
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
            });
            return null;
        });
    }

    @Override
    public AuditPage search(AuditQuery query) {
        StringBuilder jpql = new StringBuilder("select a from AuditEntity a where 1 = 1");
        Map<String, Object> params = new HashMap<>();
        AuditFilter f = query.filter();
        f.type().ifPresent(t -> {
            jpql.append(" and a.type = :type");
            params.put("type", t.wire());
        });
        f.outcome().ifPresent(o -> {
            jpql.append(" and a.outcome = :outcome");
            params.put("outcome", o.wire());
        });
        f.user().ifPresent(u -> {
            jpql.append(" and a.user = :user");
            params.put("user", u);
        });
        f.channelPrefix().ifPresent(p -> {
            jpql.append(" and a.channel like :channel escape '!'");
            params.put("channel", likePrefix(p));
        });
        query.from().ifPresent(from -> {
            jpql.append(" and a.recordedAt >= :from");
            params.put("from", from);
        });
        query.to().ifPresent(to -> {
            jpql.append(" and a.recordedAt < :to");
            params.put("to", to);
        });
        query.cursor().ifPresent(c -> {
            jpql.append(" and (a.recordedAt < :cursorTime or (a.recordedAt = :cursorTime and a.id < :cursorId))");
            params.put("cursorTime", c.time());
            params.put("cursorId", c.id());
        });
        jpql.append(" order by a.recordedAt desc, a.id desc");
        List<AuditRecord> rows = tx.inTransaction(em -> {
            TypedQuery<AuditEntity> q = em.createQuery(jpql.toString(), AuditEntity.class);
            params.forEach(q::setParameter);
            List<AuditRecord> out = new ArrayList<>();
            q.setMaxResults(query.limit() + 1).getResultList().forEach(e -> out.add(e.toRecord()));
            return out;
        });
        return AuditPage.of(rows, query.limit());
    }

    @Override
    public int deleteOlderThan(Instant cutoff, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        return tx.inTransaction(em -> {
            List<String> ids = em.createQuery(
                            "select a.id from AuditEntity a where a.recordedAt < :cutoff order by a.recordedAt, a.id", String.class)
                    .setParameter("cutoff", cutoff)
                    .setMaxResults(limit)
                    .getResultList();
            if (ids.isEmpty()) {
                return 0;
            }
            return em.createQuery("delete from AuditEntity a where a.id in :ids").setParameter("ids", ids).executeUpdate();
        });
    }

    /** The LIKE pattern for a prefix, with LIKE's wildcards in it (the {@code _} of channel names) escaped by {@code !}. */
    static String likePrefix(String prefix) {
        return prefix.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
    }
}
