package dev.herald.testing;

import dev.herald.domain.RetentionStoreContract;

import java.time.Clock;

/** The test double's retention holds to the same contract as the real store's. */
class InMemoryRetentionStoreTest extends RetentionStoreContract {

    @Override
    protected Stores newStores(Clock clock) {
        InMemoryEventStore store = new InMemoryEventStore(clock);
        return new Stores(store, store);
    }
}
