package dev.herald.testing;

import dev.herald.application.audit.AuditStore;
import dev.herald.application.audit.AuditStoreContract;

/** The in-memory fixture keeps the same promises as the real store. */
class InMemoryAuditStoreTest extends AuditStoreContract {

    private final InMemoryAuditStore store = new InMemoryAuditStore();

    @Override
    protected AuditStore store() {
        return store;
    }
}
