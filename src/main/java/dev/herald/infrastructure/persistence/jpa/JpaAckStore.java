package dev.herald.infrastructure.persistence.jpa;

import dev.herald.domain.AckStore;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Sequence;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceException;

import java.time.Clock;
import java.util.Optional;

/** {@link AckStore} on JPA: one row per (user, channel), only ever moved forward. */
public class JpaAckStore implements AckStore {

    private final Transactions tx;
    private final Clock clock;

    public JpaAckStore(EntityManagerFactory emf, Clock clock) {
        this.tx = new Transactions(emf);
        this.clock = clock;
    }

    @Override
    public void acknowledge(String userId, ChannelName channel, Sequence seq) {
        if (advance(userId, channel, seq) > 0) {
            return;
        }
        boolean inserted;
        try {
            inserted = tx.inTransaction(em -> {
                if (em.find(AckEntity.class, new AckEntity.Key(userId, channel.value())) != null) {
                    return false;
                }
                em.persist(new AckEntity(userId, channel.value(), seq.value(), clock.instant()));
                em.flush();
                return true;
            });
        } catch (PersistenceException e) {
            inserted = false;
        }
        if (!inserted) {
            // Another connection of the same user created the row since the first update; move it forward instead.
            advance(userId, channel, seq);
        }
    }

    private int advance(String userId, ChannelName channel, Sequence seq) {
        return tx.inTransaction(em -> em.createQuery(
                        "update AckEntity a set a.seq = :seq, a.updatedAt = :now "
                                + "where a.userId = :user and a.channel = :channel and a.seq < :seq")
                .setParameter("seq", seq.value())
                .setParameter("now", clock.instant())
                .setParameter("user", userId)
                .setParameter("channel", channel.value())
                .executeUpdate());
    }

    @Override
    public Optional<Sequence> position(String userId, ChannelName channel) {
        return tx.inTransaction(em -> Optional.ofNullable(
                        em.find(AckEntity.class, new AckEntity.Key(userId, channel.value())))
                .map(a -> Sequence.of(a.seq())));
    }
}
