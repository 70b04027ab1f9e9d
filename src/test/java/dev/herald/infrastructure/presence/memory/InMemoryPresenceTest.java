package dev.herald.infrastructure.presence.memory;

import dev.herald.application.presence.Presence;
import dev.herald.application.presence.PresenceContract;

class InMemoryPresenceTest extends PresenceContract {

    @Override
    protected Presence newPresence() {
        return new InMemoryPresence();
    }
}
