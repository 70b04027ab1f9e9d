package dev.herald.infrastructure.persistence.jpa;

import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventDraft;
import dev.herald.domain.EventStore;
import dev.herald.domain.EventType;
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
        Optional<Event> appended = tryAppend(channel, draft);
        if (appended.isPresent()) {
            return appended.get();
        }
        createChannelRow(channel.value());
        return tryAppend(channel, draft).orElseThrow(
                () -> new IllegalStateException("channel row for " + channel + " vanished"));
    }

    /** One transaction: lock and bump the head, insert the event. Empty when the channel has no row yet. */
    private Optional<Event> tryAppend(ChannelName channel, EventDraft draft) {
        String name = channel.value();
        return tx.inTransaction(em -> {
            int updated = em.createQuery("update ChannelEntity c set c.head = c.head + 1 where c.name = :name")
                    .setParameter("name", name)
                    .executeUpdate();
            if (updated == 0) {
                return Optional.empty();
            }
            long seq = em.createQuery("select c.head from ChannelEntity c where c.name = :name", Long.class)
                    .setParameter("name", name)
                    .getSingleResult();
            // Millisecond precision: what is sent live is exactly what a replay reads back.
            Instant ts = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            em.persist(new EventEntity(name, seq, draft.type().value(), ts, draft.data(), draft.correlationId()));
            return Optional.of(new Event(channel, Sequence.of(seq), draft.type(), ts, draft.data(), draft.correlationId()));
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
