package dev.herald.application.presence;

import dev.herald.domain.ChannelName;

import java.util.List;

/**
 * Who is subscribed to a channel, across instances: one entry per subscribed connection, joined
 * when its subscription starts (before the {@code subscribed} frame) and left when it ends by
 * {@code unsubscribe}, by a token refresh that no longer grants the channel, or by the connection
 * closing.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>{@link #of} lists every user with at least one joined and not yet left connection on a live
 *       instance, with the number of those connections, ordered by user.</li>
 *   <li>The entries of an instance that stops refreshing (it crashed) vanish within the time to
 *       live, {@code herald.presence.ttl}.</li>
 *   <li>{@link #join} and {@link #leave} never block for long and never throw. When the shared state
 *       cannot be reached, a join is written by the next {@link #refresh} that reaches it, and a
 *       leave that was not written lingers at most the time to live.</li>
 *   <li>{@link #of} answers in full or throws {@link PresenceUnavailableException}; it never
 *       answers with only this instance's part.</li>
 * </ul>
 */
public interface Presence {

    void join(ChannelName channel, String user, String connectionId);

    void leave(ChannelName channel, String user, String connectionId);

    /** @throws PresenceUnavailableException when the shared state cannot be read */
    List<PresentUser> of(ChannelName channel);

    /**
     * Renews this instance's entries in the shared state. Call every
     * {@code herald.presence.refresh-interval}; an implementation without shared state does nothing.
     */
    void refresh();
}
