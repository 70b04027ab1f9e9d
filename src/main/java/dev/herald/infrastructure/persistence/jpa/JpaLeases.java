package dev.herald.infrastructure.persistence.jpa;

import dev.herald.domain.Leases;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * {@link Leases} on JPA, one {@code herald_lease} row per name. Every change is a single
 * conditional UPDATE, so the database's row lock decides a race: of two instances taking an expired
 * lease, the second one's UPDATE waits for the first to commit, then finds the row no longer
 * expired and changes nothing. Only the very first acquire of a name inserts the row, and the
 * primary key lets exactly one of several racing inserts through.
 */
public class JpaLeases implements Leases {

    /** A released lease expires at the epoch: free for anyone, whatever their clock says. */
    private static final Instant RELEASED = Instant.EPOCH;

    private final Transactions tx;
    private final Clock clock;

    public JpaLeases(EntityManagerFactory emf, Clock clock) {
        this.tx = new Transactions(emf);
        this.clock = clock;
    }

    @Override
    public boolean tryAcquire(String name, String owner, Duration ttl) {
        Leases.requireValid(name, owner, ttl);
        Instant now = clock.instant();
        Instant expires = now.plus(ttl);
        int taken = tx.inTransaction(em -> em.createQuery(
                        "update LeaseEntity l set l.owner = :owner, l.expiresAt = :expires "
                                + "where l.name = :name and (l.owner = :owner or l.expiresAt <= :now)")
                .setParameter("owner", owner)
                .setParameter("expires", expires)
                .setParameter("name", name)
                .setParameter("now", now)
                .executeUpdate());
        if (taken == 1) {
            return true;
        }
        try {
            return tx.inTransaction(em -> {
                if (em.find(LeaseEntity.class, name) != null) {
                    return false; // held by another owner and not expired
                }
                em.persist(new LeaseEntity(name, owner, expires));
                em.flush();
                return true;
            });
        } catch (PersistenceException e) {
            // Another instance inserted the row first and holds the lease; anything else is a real failure.
            if (tx.inTransaction(em -> em.find(LeaseEntity.class, name) != null)) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public boolean renew(String name, String owner, Duration ttl) {
        Leases.requireValid(name, owner, ttl);
        Instant now = clock.instant();
        return tx.inTransaction(em -> em.createQuery(
                        "update LeaseEntity l set l.expiresAt = :expires "
                                + "where l.name = :name and l.owner = :owner and l.expiresAt > :now")
                .setParameter("expires", now.plus(ttl))
                .setParameter("name", name)
                .setParameter("owner", owner)
                .setParameter("now", now)
                .executeUpdate()) == 1;
    }

    @Override
    public void release(String name, String owner) {
        Leases.requireValid(name, owner, null);
        tx.inTransaction(em -> em.createQuery(
                        "update LeaseEntity l set l.expiresAt = :released where l.name = :name and l.owner = :owner")
                .setParameter("released", RELEASED)
                .setParameter("name", name)
                .setParameter("owner", owner)
                .executeUpdate());
    }
}
