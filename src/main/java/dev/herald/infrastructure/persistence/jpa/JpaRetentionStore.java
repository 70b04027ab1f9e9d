package dev.herald.infrastructure.persistence.jpa;

import dev.herald.domain.ChannelName;
import dev.herald.domain.RetentionStore;
import dev.herald.domain.Sequence;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.TypedQuery;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@link RetentionStore} on JPA. Every query walks a primary key: channels by name through
 * {@code herald_channel}, a channel's oldest events by (channel, seq) through {@code herald_event}.
 * Deleting takes row locks on old events only, while appends lock the channel's head row and insert
 * above the head, so retention and publishing never wait for each other.
 */
public class JpaRetentionStore implements RetentionStore {

    private final Transactions tx;

    public JpaRetentionStore(EntityManagerFactory emf) {
        this.tx = new Transactions(emf);
    }

    @Override
    public List<ChannelHead> channels(Optional<ChannelName> after, int limit) {
        requirePositive(limit);
        return tx.inTransaction(em -> {
            TypedQuery<Object[]> query = after.isPresent()
                    ? em.createQuery("select c.name, c.head from ChannelEntity c where c.name > :after order by c.name",
                            Object[].class).setParameter("after", after.get().value())
                    : em.createQuery("select c.name, c.head from ChannelEntity c order by c.name", Object[].class);
            return query.setMaxResults(limit)
                    .getResultList()
                    .stream()
                    .map(row -> new ChannelHead(ChannelName.parse((String) row[0]), Sequence.of((Long) row[1])))
                    .toList();
        });
    }

    @Override
    public Optional<Sequence> lastOlderThan(ChannelName channel, Instant cutoff, int limit) {
        requirePositive(limit);
        return tx.inTransaction(em -> {
            // Look at the oldest event alone first: on most channels most of the time it is young,
            // and a sweep should not read a whole batch of rows to learn that.
            List<Object[]> oldest = oldestEvents(em, channel, 1);
            if (oldest.isEmpty() || !isOlder(oldest.get(0), cutoff)) {
                return Optional.empty();
            }
            Long last = null;
            for (Object[] row : limit == 1 ? oldest : oldestEvents(em, channel, limit)) {
                if (!isOlder(row, cutoff)) {
                    break;
                }
                last = (Long) row[0];
            }
            return Optional.ofNullable(last).map(Sequence::of);
        });
    }

    private static List<Object[]> oldestEvents(EntityManager em, ChannelName channel, int limit) {
        return em.createQuery("select e.seq, e.ts from EventEntity e where e.channel = :channel order by e.seq",
                        Object[].class)
                .setParameter("channel", channel.value())
                .setMaxResults(limit)
                .getResultList();
    }

    private static boolean isOlder(Object[] seqAndTs, Instant cutoff) {
        return ((Instant) seqAndTs[1]).isBefore(cutoff);
    }

    @Override
    public int deleteThrough(ChannelName channel, Sequence upTo, int limit) {
        requirePositive(limit);
        return tx.inTransaction(em -> {
            Long earliest = em.createQuery("select min(e.seq) from EventEntity e where e.channel = :channel", Long.class)
                    .setParameter("channel", channel.value())
                    .getSingleResult();
            if (earliest == null || earliest > upTo.value()) {
                return 0;
            }
            // A range of `limit` sequences holds at most `limit` rows (the primary key), and exactly that
            // many since history has no holes: a bounded delete without LIMIT, which portable DELETE lacks.
            long last = Math.min(upTo.value(), earliest + (limit - 1));
            return em.createQuery("delete from EventEntity e where e.channel = :channel and e.seq between :first and :last")
                    .setParameter("channel", channel.value())
                    .setParameter("first", earliest)
                    .setParameter("last", last)
                    .executeUpdate();
        });
    }

    private static void requirePositive(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
    }
}
