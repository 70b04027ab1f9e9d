package dev.herald.application.audit;

import dev.herald.application.session.ClientSession;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The administrators watching {@code /ws/audit} on this instance, each with a filter. Every record
 * recorded here or received from another instance is offered once; only matching records are
 * sent, each encoded once however many watchers it matches. A watcher whose session was released
 * is forgotten at the next record, so a missed close callback leaves nothing behind.
 */
public final class AuditFeed {

    private final Map<String, Watcher> watchers = new ConcurrentHashMap<>();

    private record Watcher(ClientSession session, AuditFilter filter) {
    }

    /** Starts or replaces the session's filter. */
    public void watch(ClientSession session, AuditFilter filter) {
        watchers.put(session.id(), new Watcher(session, filter));
    }

    public void unwatch(ClientSession session) {
        watchers.remove(session.id());
    }

    public boolean isWatching(ClientSession session) {
        return watchers.containsKey(session.id());
    }

    public int size() {
        return watchers.size();
    }

    void deliver(AuditRecord record) {
        if (watchers.isEmpty()) {
            return;
        }
        String frame = null;
        for (Watcher w : watchers.values()) {
            if (w.session().isReleased()) {
                watchers.remove(w.session().id(), w);
            } else if (w.filter().matches(record)) {
                if (frame == null) {
                    frame = frame(record);
                }
                w.session().send(frame);
            }
        }
    }

    /** {@code {"type":"audit","record":{...}}} */
    public static String frame(AuditRecord record) {
        return "{\"type\":\"audit\",\"record\":" + record.toJson() + "}";
    }
}
