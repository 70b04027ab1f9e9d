package dev.herald.testing;

import dev.herald.domain.Leases;
import dev.herald.domain.LeasesContract;

import java.time.Clock;

/** The test double holds to the same contract as the JPA leases, so unit tests built on it mean something. */
class InMemoryLeasesTest extends LeasesContract {

    /** Every "instance" of one test shares the map, as instances share the database (JUnit makes a new object per test). */
    private InMemoryLeases shared;

    @Override
    protected Leases newLeases(Clock clock) {
        if (shared == null) {
            shared = new InMemoryLeases(clock);
        }
        return shared;
    }
}
