package dev.herald.infrastructure.persistence.jpa;

import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventDraft;
import dev.herald.domain.EventStore;
import dev.herald.domain.EventType;
import dev.herald.domain.IdempotencyKey;
import dev.herald.domain.Sequence;
import jakarta.persistence.EntityManager;
import org.hibernate.Session;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@link EventStore} on JPA. Appending increments the channel's head row inside the same
 * transaction that inserts the event: the row lock makes concurrent appends to one channel commit
 * one after another in sequence order, on any number of instances, while appends to different
 * channels never wait for each other. The append path is plain JDBC on the JPA transaction's
 * connection (JDBC batches of heads, events and keys); reads go through JPA.
 */
public class JpaEventStore implements EventStore {

    private final Transactions tx;
    private final Clock clock;

    public JpaEventStore(EntityManagerFactory emf, Clock clock) {
        this.tx = new Transactions(emf);
        this.clock = clock;
    }

    @Override
    public Event append(ChannelName channel, EventDraft draft) {
        return appendAll(List.of(new Append(channel, draft))).get(0).stored()
                .orElseThrow(() -> new IllegalStateException("an append without a key was reported as a duplicate"));
    }

    @Override
    public Optional<Event> appendOnce(ChannelName channel, EventDraft draft, IdempotencyKey key) {
        return appendAll(List.of(new Append(channel, draft, key))).get(0).stored();
    }

    /** Tries this often when a racing transaction's failure leaves a key still free. */
    private static final int KEYED_ATTEMPTS = 3;

    /**
     * One transaction per batch. A key's row is inserted with its event: two transactions with one
     * key both pass the look-up when neither has committed; the primary key then makes the second
     * insert wait for the first transaction and fail once it commits, and the second rolls back
     * whole (head increments included) and, tried again, finds the key taken. A channel without a
     * head row rolls the transaction back too; its row is created and the batch tried again.
     */
    @Override
    public List<Appended> appendAll(List<Append> batch) {
        if (batch.isEmpty()) {
            return List.of();
        }
        boolean keyed = batch.stream().anyMatch(a -> a.key() != null);
        for (int tries = 1; ; tries++) {
            try {
                return tx.inTransaction(em -> appendAll(em, batch));
            } catch (MissingChannels missing) {
                missing.names.forEach(this::createChannelRow);
                if (tries > KEYED_ATTEMPTS) {
                    throw new IllegalStateException("channel rows for " + missing.names + " vanished");
                }
            } catch (PersistenceException e) {
                if (!keyed || tries >= KEYED_ATTEMPTS) {
                    throw e;
                }
                // The transaction that held a key rolled back, committed first, or a lock wait timed out: look again.
            }
        }
    }

    /** Thrown inside the transaction to roll it back: these channels have no head row yet. */
    private static final class MissingChannels extends RuntimeException {
        final List<String> names;

        MissingChannels(List<String> names) {
            super(null, null, false, false);
            this.names = names;
        }
    }

    private List<Appended> appendAll(EntityManager em, List<Append> batch) {
        // Plain JDBC on the transaction's connection: entity persists, their flush and action queue
        // cost more per event than the database did (measured with `bench/run publish`).
        return em.unwrap(Session.class).doReturningWork(connection -> appendAll(connection, batch));
    }

    private List<Appended> appendAll(Connection connection, List<Append> batch) throws SQLException {
        Map<String, Appended> used = usedKeys(connection, batch);
        // Which appends store an event: no key, or a key neither used before nor earlier in the batch.
        Map<String, Integer> firstWithKey = new HashMap<>();
        Map<String, Integer> counts = new TreeMap<>(); // sorted: every transaction locks channels in one order
        boolean[] stores = new boolean[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            Append append = batch.get(i);
            String key = append.key() == null ? null : append.key().value();
            if (key != null && (used.containsKey(key) || firstWithKey.putIfAbsent(key, i) != null)) {
                continue;
            }
            stores[i] = true;
            counts.merge(append.channel().value(), 1, Integer::sum);
        }
        Map<String, Long> next = reserve(connection, counts);
        // Millisecond precision: what is sent live is exactly what a replay reads back.
        Instant ts = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        OffsetDateTime stamp = OffsetDateTime.ofInstant(ts, ZoneOffset.UTC);
        Appended[] results = new Appended[batch.size()];
        try (PreparedStatement events = connection.prepareStatement(
                "insert into herald_event (channel, seq, type, ts, data, correlation_id) values (?, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < batch.size(); i++) {
                if (!stores[i]) {
                    continue;
                }
                Append append = batch.get(i);
                String name = append.channel().value();
                long seq = next.merge(name, 1L, Long::sum) - 1;
                EventDraft draft = append.draft();
                events.setString(1, name);
                events.setLong(2, seq);
                events.setString(3, draft.type().value());
                events.setObject(4, stamp);
                events.setString(5, draft.data());
                events.setString(6, draft.correlationId());
                events.addBatch();
                results[i] = Appended.of(new Event(append.channel(), Sequence.of(seq), draft.type(), ts, draft.data(), draft.correlationId()));
            }
            events.executeBatch();
        }
        if (!firstWithKey.isEmpty()) {
            // In the same transaction as the events: a key taken meanwhile fails here (the primary key
            // waits for the other transaction, then refuses) and rolls everything back.
            try (PreparedStatement keys = connection.prepareStatement(
                    "insert into herald_idempotency (idempotency_key, channel, seq, created_at) values (?, ?, ?, ?)")) {
                for (Map.Entry<String, Integer> first : firstWithKey.entrySet()) {
                    Appended stored = results[first.getValue()];
                    keys.setString(1, first.getKey());
                    keys.setString(2, stored.channel().value());
                    keys.setLong(3, stored.seq().value());
                    keys.setObject(4, stamp);
                    keys.addBatch();
                }
                keys.executeBatch();
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            if (results[i] == null) {
                String key = batch.get(i).key().value();
                Appended earlier = used.get(key);
                results[i] = earlier != null ? earlier
                        : Appended.duplicateOf(results[firstWithKey.get(key)].channel(), results[firstWithKey.get(key)].seq(), ts);
            }
        }
        return List.of(results);
    }

    /** The keys in the batch that are already used, each with where its event is. */
    private static Map<String, Appended> usedKeys(Connection connection, List<Append> batch) throws SQLException {
        List<String> keys = batch.stream().filter(a -> a.key() != null).map(a -> a.key().value()).distinct().toList();
        Map<String, Appended> used = new HashMap<>();
        for (int from = 0; from < keys.size(); from += HEADS_BATCH) {
            List<String> part = keys.subList(from, Math.min(keys.size(), from + HEADS_BATCH));
            try (PreparedStatement select = connection.prepareStatement(
                    "select idempotency_key, channel, seq, created_at from herald_idempotency where idempotency_key in ("
                            + placeholders(part.size()) + ")")) {
                for (int i = 0; i < part.size(); i++) {
                    select.setString(i + 1, part.get(i));
                }
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        used.put(rows.getString(1), Appended.duplicateOf(ChannelName.parse(rows.getString(2)),
                                Sequence.of(rows.getLong(3)), rows.getObject(4, OffsetDateTime.class).toInstant()));
                    }
                }
            }
        }
        return used;
    }

    /**
     * Raises each channel's head by its count, in name order, which locks the head rows until the
     * commit; returns each channel's first new sequence.
     *
     * @throws MissingChannels naming the channels that have no head row yet
     */
    private static Map<String, Long> reserve(Connection connection, Map<String, Integer> counts) throws SQLException {
        List<String> missing = new ArrayList<>();
        try (PreparedStatement update = connection.prepareStatement("update herald_channel set head = head + ? where name = ?")) {
            for (Map.Entry<String, Integer> channel : counts.entrySet()) {
                update.setLong(1, channel.getValue());
                update.setString(2, channel.getKey());
                update.addBatch();
            }
            int[] updated = update.executeBatch();
            int i = 0;
            for (String name : counts.keySet()) {
                if (updated[i++] == 0) {
                    missing.add(name);
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new MissingChannels(missing);
        }
        Map<String, Long> first = new HashMap<>();
        List<String> names = new ArrayList<>(counts.keySet());
        for (int from = 0; from < names.size(); from += HEADS_BATCH) {
            List<String> part = names.subList(from, Math.min(names.size(), from + HEADS_BATCH));
            try (PreparedStatement select = connection.prepareStatement(
                    "select name, head from herald_channel where name in (" + placeholders(part.size()) + ")")) {
                for (int i = 0; i < part.size(); i++) {
                    select.setString(i + 1, part.get(i));
                }
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        String name = rows.getString(1);
                        first.put(name, rows.getLong(2) - counts.get(name) + 1);
                    }
                }
            }
        }
        return first;
    }

    /** {@code ?, ?, ?} for an IN list of {@code n} values. */
    private static String placeholders(int n) {
        StringBuilder out = new StringBuilder(3 * n);
        for (int i = 0; i < n; i++) {
            out.append(i == 0 ? "?" : ", ?");
        }
        return out.toString();
    }

    /** Creates the head row on a channel's first publish; a concurrent creator winning the race is fine. */
    private void createChannelRow(String name) {
        try {
            tx.inTransaction(em -> {
                em.persist(new ChannelEntity(name, 0));
                em.flush();
                return null;
            });
        } catch (PersistenceException e) {
            boolean created = tx.inTransaction(em -> em.find(ChannelEntity.class, name) != null);
            if (!created) {
                throw e;
            }
        }
    }

    @Override
    public Sequence head(ChannelName channel) {
        return tx.inTransaction(em -> em.createQuery("select c.head from ChannelEntity c where c.name = :name", Long.class)
                .setParameter("name", channel.value())
                .getResultStream()
                .findFirst()
                .map(Sequence::of)
                .orElse(Sequence.ZERO));
    }

    /** Names per query: well inside every database's limit on bound parameters. */
    static final int HEADS_BATCH = 500;

    @Override
    public Map<ChannelName, Sequence> heads(Collection<ChannelName> channels) {
        Map<String, ChannelName> byName = new HashMap<>();
        channels.forEach(c -> byName.put(c.value(), c));
        List<String> names = new ArrayList<>(byName.keySet());
        Map<ChannelName, Sequence> heads = new HashMap<>();
        for (int from = 0; from < names.size(); from += HEADS_BATCH) {
            List<String> batch = names.subList(from, Math.min(names.size(), from + HEADS_BATCH));
            tx.inTransaction(em -> {
                em.createQuery("select c.name, c.head from ChannelEntity c where c.name in :names", Object[].class)
                        .setParameter("names", batch)
                        .getResultList()
                        .forEach(row -> heads.put(byName.get((String) row[0]), Sequence.of((Long) row[1])));
                return null;
            });
        }
        return heads;
    }

    @Override
    public List<Event> read(ChannelName channel, Sequence after, int limit) {
        return tx.inTransaction(em -> em.createQuery(
                        "select e from EventEntity e where e.channel = :channel and e.seq > :after order by e.seq",
                        EventEntity.class)
                .setParameter("channel", channel.value())
                .setParameter("after", after.value())
                .setMaxResults(limit)
                .getResultList()
                .stream()
                .map(e -> new Event(channel, Sequence.of(e.seq()), new EventType(e.type()), e.ts(), e.data(), e.correlationId()))
                .toList());
    }

    @Override
    public Optional<Sequence> earliest(ChannelName channel) {
        return tx.inTransaction(em -> Optional.ofNullable(
                        em.createQuery("select min(e.seq) from EventEntity e where e.channel = :channel", Long.class)
                                .setParameter("channel", channel.value())
                                .getSingleResult())
                .map(Sequence::of));
    }
}
