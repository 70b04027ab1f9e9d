package dev.herald.infrastructure.session.memory;

import dev.herald.application.session.ConnectionDirectory;
import dev.herald.application.session.ConnectionEntry;
import dev.herald.application.session.InstanceId;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The directory of one instance: every connection is local, so every eviction is reported to this
 * instance's listener before {@link #register} returns. Nothing to refresh.
 */
public final class InMemoryConnectionDirectory implements ConnectionDirectory {

    private final InstanceId instance;
    private final int limit;
    /** Guarded by {@code this}. */
    private final Map<String, Map<String, ConnectionEntry>> byUser = new HashMap<>();
    private volatile Listener listener = connectionId -> { };

    /** @param limit connections per user; zero records nothing and never evicts */
    public InMemoryConnectionDirectory(InstanceId instance, int limit) {
        this.instance = instance;
        this.limit = limit;
    }

    @Override
    public void listen(Listener listener) {
        this.listener = listener;
    }

    @Override
    public List<ConnectionEntry> register(String user, String connectionId, Instant connectedAt) {
        if (limit <= 0) {
            return List.of();
        }
        List<ConnectionEntry> evicted;
        synchronized (this) {
            Map<String, ConnectionEntry> connections = byUser.computeIfAbsent(user, u -> new LinkedHashMap<>());
            connections.put(connectionId, new ConnectionEntry(instance, connectionId, connectedAt));
            evicted = ConnectionDirectory.excess(connections.values(), limit, connectionId);
            evicted.forEach(e -> connections.remove(e.connectionId()));
        }
        // Outside the lock: the listener closes sessions, whose release comes back to unregister.
        Listener current = listener;
        evicted.forEach(e -> current.evicted(e.connectionId()));
        return evicted;
    }

    @Override
    public synchronized void unregister(String user, String connectionId) {
        Map<String, ConnectionEntry> connections = byUser.get(user);
        if (connections != null && connections.remove(connectionId) != null && connections.isEmpty()) {
            byUser.remove(user);
        }
    }

    @Override
    public void refresh() {
        // Nothing is shared, so nothing can expire.
    }

    @Override
    public synchronized List<ConnectionEntry> connections(String user) {
        Map<String, ConnectionEntry> connections = byUser.getOrDefault(user, Map.of());
        return connections.values().stream().sorted(ConnectionDirectory.OLDEST_FIRST).toList();
    }

    @Override
    public String toString() {
        return "connections of this instance only, at most " + (limit == 0 ? "any number" : Integer.toString(limit))
                + " per user";
    }
}
