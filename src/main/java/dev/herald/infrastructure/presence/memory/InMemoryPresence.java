package dev.herald.infrastructure.presence.memory;

import dev.herald.application.presence.Presence;
import dev.herald.application.presence.PresentUser;
import dev.herald.domain.ChannelName;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Presence of one instance: this instance's subscriptions, which the subscribe service joins and
 * leaves exactly as the hub's members come and go. Nothing to refresh, never unavailable.
 */
public final class InMemoryPresence implements Presence {

    /** Channel to connection id to user. Guarded by {@code this}. */
    private final Map<ChannelName, Map<String, String>> channels = new HashMap<>();

    @Override
    public synchronized void join(ChannelName channel, String user, String connectionId) {
        channels.computeIfAbsent(channel, c -> new HashMap<>()).put(connectionId, user);
    }

    @Override
    public synchronized void leave(ChannelName channel, String user, String connectionId) {
        Map<String, String> connections = channels.get(channel);
        if (connections != null && connections.remove(connectionId, user) && connections.isEmpty()) {
            channels.remove(channel);
        }
    }

    @Override
    public synchronized List<PresentUser> of(ChannelName channel) {
        Map<String, String> connections = channels.getOrDefault(channel, Map.of());
        Map<String, Integer> counts = new TreeMap<>();
        connections.values().forEach(user -> counts.merge(user, 1, Integer::sum));
        return counts.entrySet().stream().map(e -> new PresentUser(e.getKey(), e.getValue())).toList();
    }

    @Override
    public void refresh() {
        // Nothing is shared, so nothing can expire.
    }

    @Override
    public String toString() {
        return "presence of this instance only";
    }
}
