package dev.herald.infrastructure.persistence.jpa;

import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventDraft;
import dev.herald.domain.EventStore;
import dev.herald.domain.EventType;
import dev.herald.domain.IdempotencyKey;
import dev.herald.domain.Sequence;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceException;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link EventStore} on JPA. Appending increments the channel's head row inside the same
 * transaction that inserts the event: the row lock makes concurrent appends to one channel commit
 * one after another in sequence order, on any number of instances, while appends to different
 * channels never wait for each other.
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
        Attempt attempt = tryAppend(channel, draft, null);
        if (attempt.outcome() == Attempt.Outcome.NO_CHANNEL_ROW) {
            createChannelRow(channel.value());
            attempt = tryAppend(channel, draft, null);
        }
        if (attempt.outcome() != Attempt.Outcome.APPENDED) {
            throw new IllegalStateException("channel row for " + channel + " vanished");
        }
        return attempt.event();
    }

    /** Tries this often when a racing transaction's failure leaves the key still free. */
    private static final int ONCE_ATTEMPTS = 3;

    /**
     * The key's row is inserted in the transaction that appends the event. Two transactions with one
     * key both pass the look-up when neither has committed; the primary key then makes the second
     * insert wait for the first transaction and fail once it commits, and the second rolls back whole
     * (head increment included) and finds the key taken.
     */
    @Override
    public Optional<Event> appendOnce(ChannelName channel, EventDraft draft, IdempotencyKey key) {
        for (int tries = 1; ; tries++) {
            try {
                Attempt attempt = tryAppend(channel, draft, key);
                if (attempt.outcome() == Attempt.Outcome.NO_CHANNEL_ROW) {
                    createChannelRow(channel.value());
                    attempt = tryAppend(channel, draft, key);
                }
                if (attempt.outcome() == Attempt.Outcome.KEY_TAKEN) {
                    return Optional.empty();
                }
                if (attempt.outcome() != Attempt.Outcome.APPENDED) {
                    throw new IllegalStateException("channel row for " + channel + " vanished");
                }
                return Optional.of(attempt.event());
            } catch (PersistenceException e) {
                if (isStored(key)) {
                    return Optional.empty();
                }
                if (tries == ONCE_ATTEMPTS) {
                    throw e;
                }
                // The transaction that held the key rolled back (or a lock wait timed out): try again.
            }
        }
    }

    private boolean isStored(IdempotencyKey key) {
        return tx.inTransaction(em -> em.find(IdempotencyEntity.class, key.value()) != null);
    }

    /** What one append transaction did; {@code event} is set when it appended. */
    private record Attempt(Outcome outcome, Event event) {
        enum Outcome { APPENDED, NO_CHANNEL_ROW, KEY_TAKEN }

        static final Attempt NO_CHANNEL_ROW = new Attempt(Outcome.NO_CHANNEL_ROW, null);
        static final Attempt KEY_TAKEN = new Attempt(Outcome.KEY_TAKEN, null);
    }

    /**
     * One transaction: with a key, give up if it is taken; lock and bump the head, insert the event
     * (and the key's row). {@link Attempt#NO_CHANNEL_ROW} when the channel has no row yet.
     */
    private Attempt tryAppend(ChannelName channel, EventDraft draft, IdempotencyKey key) {
        String name = channel.value();
        return tx.inTransaction(em -> {
            if (key != null && em.find(IdempotencyEntity.class, key.value()) != null) {
                return Attempt.KEY_TAKEN;
            }
            int updated = em.createQuery("update ChannelEntity c set c.head = c.head + 1 where c.name = :name")
                    .setParameter("name", name)
                    .executeUpdate();
            if (updated == 0) {
                return Attempt.NO_CHANNEL_ROW;
            }
            long seq = em.createQuery("select c.head from ChannelEntity c where c.name = :name", Long.class)
                    .setParameter("name", name)
                    .getSingleResult();
            // Millisecond precision: what is sent live is exactly what a replay reads back.
            Instant ts = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            em.persist(new EventEntity(name, seq, draft.type().value(), ts, draft.data(), draft.correlationId()));
            if (key != null) {
                em.persist(new IdempotencyEntity(key.value(), name, seq, ts));
                // Inside the work, so that a taken key fails here and rolls everything back.
                em.flush();
            }
            return new Attempt(Attempt.Outcome.APPENDED, new Event(channel, Sequence.of(seq), draft.type(), ts, draft.data(), draft.correlationId()));
        });
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
