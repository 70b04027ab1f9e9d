package dev.herald.application.presence;

import dev.herald.domain.ChannelName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What every {@link Presence} must do, run against each implementation by a subclass. Every test
 * works on channels of its own; implementations may share a backend between tests.
 */
public abstract class PresenceContract {

    /** Generous for a real server on two busy cores. */
    protected static final Duration DEADLINE = Duration.ofSeconds(10);

    private final List<Presence> instances = new ArrayList<>();

    protected Presence presence;

    /** A new presence: one more "instance"; those of one test class may share their backend. */
    protected abstract Presence newPresence() throws Exception;

    protected Presence instance() throws Exception {
        Presence p = newPresence();
        instances.add(p);
        return p;
    }

    @BeforeEach
    void openPresence() throws Exception {
        presence = instance();
    }

    @AfterEach
    void closeInstances() throws Exception {
        for (Presence p : instances) {
            if (p instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }

    protected static ChannelName newChannel() {
        return ChannelName.of("contract", "presence-" + UUID.randomUUID());
    }

    /** {@code users("alice", 2, "bob", 1)}: the expected answer of {@link Presence#of}. */
    protected static List<PresentUser> users(Object... userThenCount) {
        List<PresentUser> users = new ArrayList<>();
        for (int i = 0; i < userThenCount.length; i += 2) {
            users.add(new PresentUser((String) userThenCount[i], (Integer) userThenCount[i + 1]));
        }
        return users;
    }

    /** Polls a condition until it holds or the deadline passes. */
    protected static void awaitTrue(BooleanSupplier condition, Duration deadline, String what) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("not within " + deadline + ": " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void aChannelNobodyJoinedHasNobody() {
        assertEquals(List.of(), presence.of(newChannel()));
    }

    @Test
    void listsEachUserOnceWithTheNumberOfTheirConnectionsInUserOrder() {
        // given
        ChannelName channel = newChannel();

        // when
        presence.join(channel, "carol", "c1");
        presence.join(channel, "alice", "a1");
        presence.join(channel, "alice", "a2");

        // then
        assertEquals(users("alice", 2, "carol", 1), presence.of(channel));
    }

    @Test
    void leavingRemovesTheConnectionAndTheUserWithTheirLast() {
        // given
        ChannelName channel = newChannel();
        presence.join(channel, "alice", "a1");
        presence.join(channel, "alice", "a2");
        presence.join(channel, "bob", "b1");

        // when
        presence.leave(channel, "alice", "a1");
        presence.leave(channel, "bob", "b1");

        // then
        assertEquals(users("alice", 1), presence.of(channel));
    }

    @Test
    void channelsAreApart() {
        // given
        ChannelName one = newChannel();
        ChannelName other = newChannel();

        // when: one connection may be on both
        presence.join(one, "alice", "a1");
        presence.join(other, "alice", "a1");
        presence.join(other, "bob", "b1");

        // then
        assertEquals(users("alice", 1), presence.of(one));
        assertEquals(users("alice", 1, "bob", 1), presence.of(other));
        presence.leave(other, "alice", "a1");
        assertEquals(users("alice", 1), presence.of(one));
    }

    @Test
    void joiningTwiceCountsOnceAndLeavingWhatNeverJoinedIsHarmless() {
        // given
        ChannelName channel = newChannel();
        presence.join(channel, "alice", "a1");

        // when
        presence.join(channel, "alice", "a1");
        presence.leave(channel, "bob", "b1");
        presence.leave(newChannel(), "alice", "a1");

        // then
        assertEquals(users("alice", 1), presence.of(channel));
    }

    @Test
    void keepsAnyUserIdIntact() {
        // given: a sub may hold '|', quotes and non-ASCII characters
        ChannelName channel = newChannel();
        String user = "auth0|\"José\"|42";

        // when
        presence.join(channel, user, "a1");

        // then
        assertEquals(users(user, 1), presence.of(channel));
        presence.leave(channel, user, "a1");
        assertEquals(List.of(), presence.of(channel));
    }

    @Test
    void aRefreshChangesNothingThatIsListed() {
        // given
        ChannelName channel = newChannel();
        presence.join(channel, "alice", "a1");
        presence.join(channel, "bob", "b1");
        presence.leave(channel, "bob", "b1");

        // when
        presence.refresh();

        // then
        assertEquals(users("alice", 1), presence.of(channel));
    }
}
