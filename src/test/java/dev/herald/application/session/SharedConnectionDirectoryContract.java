package dev.herald.application.session;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The contract of a directory that connects instances: everything {@link ConnectionDirectoryContract}
 * asks, and directories of one backend (one per "instance") count and evict each other's connections.
 */
public abstract class SharedConnectionDirectoryContract extends ConnectionDirectoryContract {

    /** The time to live the subclass gives its directories: short, so expiry can be watched. */
    protected abstract Duration ttl();

    @Test
    void aRegistrationOnOneInstanceEvictsTheOldestConnectionOnAnother() throws Exception {
        // given
        Instance a = instance(2);
        Instance b = instance(2);
        String user = newUser();
        a.register(user, "a1", 1);
        a.register(user, "a2", 2);

        // when
        List<ConnectionEntry> evicted = b.directory().register(user, "b1", T0.plusSeconds(3));

        // then
        assertEquals(List.of("a1"), ids(evicted));
        awaitTrue(() -> a.evicted().equals(List.of("a1")), DEADLINE, "the owning instance is told");
        assertEquals(List.of(), b.evicted(), "the registering instance closes nothing of its own");
        assertEquals(List.of("a2", "b1"), b.connections(user));
        assertEquals(List.of("a2", "b1"), a.connections(user), "both instances see the same connections");
    }

    @Test
    void anInstanceThatStopsRenewingStopsCountingWithinTheTimeToLive() throws Exception {
        // given: a registers two connections, then never renews them (it crashed)
        Instance a = instance(2);
        Instance b = instance(2);
        String user = newUser();
        a.register(user, "a1", 1);
        a.register(user, "a2", 2);
        assertEquals(List.of("a1", "a2"), b.connections(user));

        // when
        awaitTrue(() -> b.connections(user).isEmpty(), ttl().plus(DEADLINE), "a's connections expire");

        // then
        assertEquals(List.of(), b.register(user, "b1", 3));
        assertEquals(List.of(), b.register(user, "b2", 4));
        assertEquals(List.of(), a.evicted());
    }

    @Test
    void renewedConnectionsOutliveTheTimeToLive() throws Exception {
        // given
        Instance a = instance(2);
        Instance b = instance(2);
        String user = newUser();
        String marker = newUser();
        a.register(user, "a1", 1);
        b.register(marker, "m1", 1); // never renewed: shows when one time to live has passed

        // when: a renews at every poll until the marker has expired
        awaitTrue(() -> {
            a.directory().refresh();
            return b.connections(marker).isEmpty();
        }, ttl().plus(DEADLINE), "the marker expires");

        // then
        assertEquals(List.of("a1"), b.connections(user));
    }

    @Test
    void anInstanceThatMissedAnEvictionClosesTheConnectionAtItsNextRenewal() throws Exception {
        // given: an instance deaf to evictions of its own connections (as if their messages were lost)
        Instance a = instance(1);
        Instance deaf = deafInstance(1);
        String user = newUser();
        deaf.register(user, "old", 1);
        a.register(user, "new", 2);
        assertEquals(List.of(), deaf.evicted());

        // when
        deaf.directory().refresh();

        // then
        assertEquals(List.of("old"), deaf.evicted());
        assertEquals(List.of("new"), a.connections(user));
        assertEquals(List.of(), a.evicted());
    }

    /** A directory on the same backend that never receives the messages other instances send it. */
    protected abstract ConnectionDirectory newDeafDirectory(int limit) throws Exception;

    private Instance deafInstance(int limit) throws Exception {
        return instance(newDeafDirectory(limit));
    }
}
