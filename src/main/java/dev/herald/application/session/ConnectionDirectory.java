package dev.herald.application.session;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Every authenticated connection of every instance, by user, and the per-user limit over them
 * ({@code herald.limits.connections-per-user}): the newest connection is always accepted, and the
 * oldest ones beyond the limit are closed (4008), wherever they are.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>When {@link #register} returns, the directory holds at most {@code limit} connections of the
 *       user, the new one among them: the oldest others were removed and are returned. The new
 *       connection is never the one evicted, whatever the clocks say.</li>
 *   <li>Every evicted connection is reported to the {@link Listener} of the instance that holds it:
 *       this instance's before {@code register} returns, another instance's by a message. A message
 *       can be lost (that instance was cut off from the shared state for a moment); then the owner
 *       finds its connection over the limit again at its next {@link #refresh} and is told then. A
 *       user's excess connections are closed within one refresh interval at worst.</li>
 *   <li>The entries of an instance that stops refreshing (it crashed) stop counting within the
 *       time to live, {@code herald.presence.ttl}.</li>
 *   <li>Never blocks for long: when the shared state cannot be reached, {@code register} applies the
 *       limit to this instance's connections only, and the next refresh that reaches it applies the
 *       limit across instances again.</li>
 * </ul>
 * With a limit of zero nothing is recorded and nothing is ever evicted.
 */
public interface ConnectionDirectory {

    /** The order in which connections are evicted. */
    Comparator<ConnectionEntry> OLDEST_FIRST = Comparator.comparing(ConnectionEntry::connectedAt)
            .thenComparing(e -> e.instance().value())
            .thenComparing(ConnectionEntry::connectionId);

    /** How an instance learns that it must close one of its connections. */
    interface Listener {

        /** The connection was replaced by a newer one of its user: close it (4008). */
        void evicted(String connectionId);
    }

    /** Sets the one listener of this instance. Called once at start-up. */
    void listen(Listener listener);

    /**
     * Records an authenticated connection of this instance and applies the user's limit.
     *
     * @return the connections evicted to make room, oldest first; empty when the user is within the limit
     */
    List<ConnectionEntry> register(String user, String connectionId, Instant connectedAt);

    /** Forgets a connection of this instance that closed; unknown ids are ignored. */
    void unregister(String user, String connectionId);

    /**
     * The user's connections that count against the limit, on every instance, oldest first; when the
     * shared state cannot be reached, this instance's only.
     */
    List<ConnectionEntry> connections(String user);

    /**
     * Renews this instance's entries in the shared state and applies every limit again. Call every
     * {@code herald.presence.refresh-interval}; an implementation without shared state does nothing.
     */
    void refresh();

    /**
     * The rule every implementation applies: beyond {@code limit}, the oldest connections go (ties
     * broken by instance, then connection id), never {@code keep}, the registration being made.
     *
     * @param keep the connection id that must stay, or null when none is protected (a refresh)
     */
    static List<ConnectionEntry> excess(Collection<ConnectionEntry> connections, int limit, String keep) {
        int over = connections.size() - limit;
        if (limit <= 0 || over <= 0) {
            return List.of();
        }
        List<ConnectionEntry> evicted = new ArrayList<>(over);
        connections.stream()
                .sorted(OLDEST_FIRST)
                .filter(e -> !e.connectionId().equals(keep))
                .limit(over)
                .forEach(evicted::add);
        return evicted;
    }
}
