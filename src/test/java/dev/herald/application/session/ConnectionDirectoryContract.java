package dev.herald.application.session;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link ConnectionDirectory} must do, run against each implementation by a subclass.
 * Every test works on users of its own; implementations may share a backend between tests.
 */
public abstract class ConnectionDirectoryContract {

    /** Generous for a real server on two busy cores. */
    protected static final Duration DEADLINE = Duration.ofSeconds(10);
    protected static final Instant T0 = Instant.parse("2025-06-01T09:00:00Z");

    private final List<ConnectionDirectory> directories = new ArrayList<>();

    /** A new directory: one more "instance"; directories of one test class may share their backend. */
    protected abstract ConnectionDirectory newDirectory(int limit) throws Exception;

    @AfterEach
    void closeDirectories() throws Exception {
        for (ConnectionDirectory d : directories) {
            if (d instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }

    /** An instance whose listener records what it is told to close. */
    protected Instance instance(int limit) throws Exception {
        return instance(newDirectory(limit));
    }

    /** Wraps a directory the test closes at its end. */
    protected Instance instance(ConnectionDirectory directory) {
        directories.add(directory);
        Instance instance = new Instance(directory);
        directory.listen(instance.evicted::add);
        return instance;
    }

    protected record Instance(ConnectionDirectory directory, List<String> evicted) {
        Instance(ConnectionDirectory directory) {
            this(directory, new CopyOnWriteArrayList<>());
        }

        public List<String> register(String user, String connectionId, long secondsAfterT0) {
            return ids(directory.register(user, connectionId, T0.plusSeconds(secondsAfterT0)));
        }

        public List<String> connections(String user) {
            return ids(directory.connections(user));
        }
    }

    protected static List<String> ids(List<ConnectionEntry> entries) {
        return entries.stream().map(ConnectionEntry::connectionId).toList();
    }

    protected static String newUser() {
        return "user-" + UUID.randomUUID();
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
    void withinTheLimitNothingIsEvicted() throws Exception {
        // given
        Instance a = instance(3);
        String user = newUser();

        // when
        List<String> first = a.register(user, "c1", 1);
        List<String> second = a.register(user, "c2", 2);
        List<String> third = a.register(user, "c3", 3);

        // then
        assertEquals(List.of(), first);
        assertEquals(List.of(), second);
        assertEquals(List.of(), third);
        assertEquals(List.of(), a.evicted());
        assertEquals(List.of("c1", "c2", "c3"), a.connections(user), "oldest first");
    }

    @Test
    void theRegistrationBeyondTheLimitEvictsTheOldestAndTellsItsListener() throws Exception {
        // given
        Instance a = instance(2);
        String user = newUser();
        a.register(user, "c1", 1);
        a.register(user, "c2", 2);

        // when
        List<String> evicted = a.register(user, "c3", 3);

        // then: told before register returned
        assertEquals(List.of("c1"), evicted);
        assertEquals(List.of("c1"), a.evicted());
        assertEquals(List.of("c2", "c3"), a.connections(user));
    }

    @Test
    void theNewestRegistrationStaysEvenWhenItsClockIsBehind() throws Exception {
        // given
        Instance a = instance(2);
        String user = newUser();
        a.register(user, "c1", 10);
        a.register(user, "c2", 20);

        // when: a connection registered last, with an earlier time
        List<String> evicted = a.register(user, "late", 5);

        // then
        assertEquals(List.of("c1"), evicted);
        assertEquals(List.of("late", "c2"), a.connections(user));
    }

    @Test
    void unregisteringFreesASlot() throws Exception {
        // given
        Instance a = instance(2);
        String user = newUser();
        a.register(user, "c1", 1);
        a.register(user, "c2", 2);

        // when
        a.directory().unregister(user, "c2");
        List<String> evicted = a.register(user, "c3", 3);

        // then
        assertEquals(List.of(), evicted);
        assertEquals(List.of("c1", "c3"), a.connections(user));
    }

    @Test
    void anEvictedConnectionsLateUnregisterFreesNothing() throws Exception {
        // given: c1 was evicted, and its close arrives afterwards
        Instance a = instance(2);
        String user = newUser();
        a.register(user, "c1", 1);
        a.register(user, "c2", 2);
        a.register(user, "c3", 3);

        // when
        a.directory().unregister(user, "c1");
        List<String> evicted = a.register(user, "c4", 4);

        // then: still two counted, so the next oldest goes
        assertEquals(List.of("c2"), evicted);
        assertEquals(List.of("c3", "c4"), a.connections(user));
    }

    @Test
    void eachUserIsCountedApart() throws Exception {
        // given
        Instance a = instance(1);
        String alice = newUser();
        String bob = newUser();
        a.register(alice, "a1", 1);

        // when
        List<String> evicted = a.register(bob, "b1", 2);

        // then
        assertEquals(List.of(), evicted);
        assertEquals(List.of("a1"), a.connections(alice));
        assertEquals(List.of("b1"), a.connections(bob));
    }

    @Test
    void aLimitOfZeroRecordsNothingAndNeverEvicts() throws Exception {
        // given
        Instance a = instance(0);
        String user = newUser();

        // when
        for (int i = 0; i < 20; i++) {
            assertEquals(List.of(), a.register(user, "c" + i, i));
        }

        // then
        assertEquals(List.of(), a.evicted());
        assertEquals(List.of(), a.connections(user));
    }

    @Test
    void unregisteringAnUnknownConnectionIsHarmless() throws Exception {
        // given
        Instance a = instance(2);
        String user = newUser();
        a.register(user, "c1", 1);

        // when
        a.directory().unregister(user, "never-registered");
        a.directory().unregister(newUser(), "c1");

        // then
        assertEquals(List.of("c1"), a.connections(user));
    }

    @Test
    void aRefreshKeepsEveryConnectionWithinTheLimit() throws Exception {
        // given
        Instance a = instance(2);
        String user = newUser();
        a.register(user, "c1", 1);
        a.register(user, "c2", 2);

        // when
        a.directory().refresh();

        // then
        assertEquals(List.of(), a.evicted());
        assertEquals(List.of("c1", "c2"), a.connections(user));
        assertTrue(a.connections(newUser()).isEmpty());
    }
}
