package dev.herald.testing;

import dev.herald.domain.EventStore;
import dev.herald.domain.EventStoreContract;

/** The test double holds to the same contract as the real store, so unit tests built on it mean something. */
class InMemoryEventStoreTest extends EventStoreContract {

    @Override
    protected EventStore newStore() {
        return new InMemoryEventStore();
    }
}
