package dev.herald.testing;

import dev.herald.domain.AckStore;
import dev.herald.domain.AckStoreContract;

/** The test double holds to the same contract as the real store, so unit tests built on it mean something. */
class InMemoryAckStoreTest extends AckStoreContract {

    @Override
    protected AckStore newStore() {
        return new InMemoryAckStore();
    }
}
