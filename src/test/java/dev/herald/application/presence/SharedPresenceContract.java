package dev.herald.application.presence;

import dev.herald.domain.ChannelName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The contract of a presence that connects instances: everything {@link PresenceContract} asks,
 * and instances of one backend see each other's entries.
 */
public abstract class SharedPresenceContract extends PresenceContract {

    /** The time to live the subclass gives its instances: short, so expiry can be watched. */
    protected abstract Duration ttl();

    @Test
    void everyInstanceListsTheEntriesOfAll() throws Exception {
        // given
        Presence other = instance();
        ChannelName channel = newChannel();

        // when
        presence.join(channel, "alice", "a1");
        other.join(channel, "alice", "a2");
        other.join(channel, "bob", "b1");

        // then
        assertEquals(users("alice", 2, "bob", 1), presence.of(channel));
        assertEquals(users("alice", 2, "bob", 1), other.of(channel));
        other.leave(channel, "alice", "a2");
        assertEquals(users("alice", 1, "bob", 1), presence.of(channel));
    }

    @Test
    void theEntriesOfAnInstanceThatStopsRenewingVanishWithinTheTimeToLiveAndRenewedOnesStay() throws Exception {
        // given: this instance renews, the other one never does (it crashed)
        Presence crashed = instance();
        ChannelName channel = newChannel();
        presence.join(channel, "alice", "a1");
        crashed.join(channel, "bob", "b1");
        assertEquals(users("alice", 1, "bob", 1), presence.of(channel));

        // when
        awaitTrue(() -> {
            presence.refresh();
            return presence.of(channel).equals(users("alice", 1));
        }, ttl().plus(DEADLINE), "bob's entry expires");

        // then
        assertEquals(users("alice", 1), crashed.of(channel), "every instance sees the same");
    }
}
