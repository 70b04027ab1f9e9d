package dev.herald.domain;

import dev.herald.testing.Concurrently;
import dev.herald.testing.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link Leases} implementation must do, run against each by a subclass. Two
 * {@link Leases} objects over the same storage stand for two Herald instances.
 *
 * <p>Implementations may share one database between tests: every test uses lease names of its own.
 */
public abstract class LeasesContract {

    private static final Duration TTL = Duration.ofSeconds(30);
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final int RACERS = 8;
    private static final int ROUNDS = 20;

    /** Leases on shared storage, judging expiry by {@code clock}; each call stands for another instance. */
    protected abstract Leases newLeases(Clock clock);

    protected MutableClock clock;
    private Leases instanceA;
    private Leases instanceB;
    private String name;

    @BeforeEach
    void createLeases() {
        clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
        instanceA = newLeases(clock);
        instanceB = newLeases(clock);
        name = newName();
    }

    private static String newName() {
        return "lease-" + UUID.randomUUID();
    }

    @Test
    void aFreeLeaseIsTakenAndThenRefusedToOthers() {
        // when
        boolean a = instanceA.tryAcquire(name, "a", TTL);
        boolean b = instanceB.tryAcquire(name, "b", TTL);

        // then
        assertTrue(a);
        assertFalse(b);
        assertFalse(instanceB.renew(name, "b", TTL), "a non-owner cannot renew");
        assertTrue(instanceA.renew(name, "a", TTL));
    }

    @Test
    void theOwnerAcquiringAgainExtendsItsLease() {
        // given
        instanceA.tryAcquire(name, "a", TTL);
        clock.advance(Duration.ofSeconds(20));

        // when
        boolean again = instanceA.tryAcquire(name, "a", TTL);
        clock.advance(Duration.ofSeconds(20));

        // then: 40 s after the first acquire, the second one still holds
        assertTrue(again);
        assertFalse(instanceB.tryAcquire(name, "b", TTL));
    }

    @Test
    void leasesOfDifferentNamesAreIndependent() {
        // given
        String other = newName();

        // when
        boolean a = instanceA.tryAcquire(name, "a", TTL);
        boolean b = instanceB.tryAcquire(other, "b", TTL);

        // then
        assertTrue(a);
        assertTrue(b);
    }

    @Test
    void exactlyOneOfManyConcurrentAcquirersOfAFreshLeaseWins() throws InterruptedException {
        for (int round = 0; round < ROUNDS; round++) {
            // given
            String fresh = newName();
            List<Leases> instances = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                instances.add(newLeases(clock));
            }

            // when
            List<Boolean> won = Concurrently.run(RACERS, DEADLINE, i -> instances.get(i).tryAcquire(fresh, "owner-" + i, TTL));

            // then
            assertEquals(1, won.stream().filter(w -> w).count(), "winners in round " + round + ": " + won);
            int winner = won.indexOf(true);
            assertTrue(instances.get(winner).renew(fresh, "owner-" + winner, TTL), "the winner holds it");
        }
    }

    @Test
    void exactlyOneOfManyConcurrentAcquirersOfAnExpiredLeaseWins() throws InterruptedException {
        for (int round = 0; round < ROUNDS; round++) {
            // given: a lease whose owner died
            String expired = newName();
            assertTrue(instanceA.tryAcquire(expired, "dead", TTL));
            clock.advance(TTL.plusSeconds(1));
            List<Leases> instances = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                instances.add(newLeases(clock));
            }

            // when
            List<Boolean> won = Concurrently.run(RACERS, DEADLINE, i -> instances.get(i).tryAcquire(expired, "owner-" + i, TTL));

            // then
            assertEquals(1, won.stream().filter(w -> w).count(), "winners in round " + round + ": " + won);
            int winner = won.indexOf(true);
            assertTrue(instances.get(winner).renew(expired, "owner-" + winner, TTL), "the winner holds it");
            assertFalse(instanceA.renew(expired, "dead", TTL), "the dead owner lost it");
        }
    }

    @Test
    void anExpiredLeaseIsTakenOverAndItsFormerOwnerCannotRenew() {
        // given
        instanceA.tryAcquire(name, "a", TTL);
        clock.advance(Duration.ofSeconds(29));
        boolean beforeExpiry = instanceB.tryAcquire(name, "b", TTL);

        // when
        clock.advance(Duration.ofSeconds(1));
        boolean atExpiry = instanceB.tryAcquire(name, "b", TTL);

        // then
        assertFalse(beforeExpiry);
        assertTrue(atExpiry);
        assertFalse(instanceA.renew(name, "a", TTL));
        assertFalse(instanceA.tryAcquire(name, "a", TTL));
    }

    @Test
    void renewalByTheOwnerKeepsTheLeasePastItsFirstExpiry() {
        // given
        instanceA.tryAcquire(name, "a", TTL);
        clock.advance(Duration.ofSeconds(20));

        // when
        boolean renewed = instanceA.renew(name, "a", TTL);
        clock.advance(Duration.ofSeconds(20));

        // then: 40 s after the acquire, 20 s after the renewal
        assertTrue(renewed);
        assertFalse(instanceB.tryAcquire(name, "b", TTL));
        assertTrue(instanceA.renew(name, "a", TTL));
    }

    @Test
    void anExpiredLeaseCannotBeRenewedEvenIfNobodyTookIt() {
        // given
        instanceA.tryAcquire(name, "a", TTL);
        clock.advance(TTL);

        // when
        boolean renewed = instanceA.renew(name, "a", TTL);

        // then: from its expiry on another instance may have started; the owner must acquire anew
        assertFalse(renewed);
        assertTrue(instanceA.tryAcquire(name, "a", TTL));
    }

    @Test
    void renewingALeaseNeverTakenFails() {
        assertFalse(instanceA.renew(name, "a", TTL));
        assertTrue(instanceB.tryAcquire(name, "b", TTL), "the failed renewal did not take the lease");
    }

    @Test
    void aReleasedLeaseIsFreeAtOnce() {
        // given
        instanceA.tryAcquire(name, "a", TTL);

        // when
        instanceA.release(name, "a");

        // then
        assertFalse(instanceA.renew(name, "a", TTL), "the former owner no longer holds it");
        assertTrue(instanceB.tryAcquire(name, "b", TTL));
    }

    @Test
    void onlyTheOwnerCanRelease() {
        // given
        instanceA.tryAcquire(name, "a", TTL);

        // when
        instanceB.release(name, "b");
        instanceB.release(newName(), "b");

        // then
        assertFalse(instanceB.tryAcquire(name, "b", TTL));
        assertTrue(instanceA.renew(name, "a", TTL));
    }

    @Test
    void refusesBlankNamesOrOwnersAndNonPositiveTimesToLive() {
        assertThrows(IllegalArgumentException.class, () -> instanceA.tryAcquire(" ", "a", TTL));
        assertThrows(IllegalArgumentException.class, () -> instanceA.tryAcquire(name, "", TTL));
        assertThrows(IllegalArgumentException.class, () -> instanceA.tryAcquire(name, "x".repeat(129), TTL));
        assertThrows(IllegalArgumentException.class, () -> instanceA.tryAcquire(name, "a", Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> instanceA.renew(name, "a", Duration.ofSeconds(-1)));
        assertTrue(instanceB.tryAcquire(name, "b", TTL), "nothing was taken by the refused calls");
    }
}
