package dev.herald.testing;

import dev.herald.domain.Leases;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Herald's in-memory {@link Leases} for unit tests: the same rules as the JPA leases, in one map. */
public class InMemoryLeases implements Leases {

    private record Held(String owner, Instant expiresAt) {
    }

    private final Map<String, Held> leases = new HashMap<>();
    private final Clock clock;

    public InMemoryLeases(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized boolean tryAcquire(String name, String owner, Duration ttl) {
        Leases.requireValid(name, owner, ttl);
        Instant now = clock.instant();
        Held held = leases.get(name);
        if (held != null && !held.owner().equals(owner) && held.expiresAt().isAfter(now)) {
            return false;
        }
        leases.put(name, new Held(owner, now.plus(ttl)));
        return true;
    }

    @Override
    public synchronized boolean renew(String name, String owner, Duration ttl) {
        Leases.requireValid(name, owner, ttl);
        Instant now = clock.instant();
        Held held = leases.get(name);
        if (held == null || !held.owner().equals(owner) || !held.expiresAt().isAfter(now)) {
            return false;
        }
        leases.put(name, new Held(owner, now.plus(ttl)));
        return true;
    }

    @Override
    public synchronized void release(String name, String owner) {
        Leases.requireValid(name, owner, null);
        Held held = leases.get(name);
        if (held != null && held.owner().equals(owner)) {
            leases.remove(name);
        }
    }
}
