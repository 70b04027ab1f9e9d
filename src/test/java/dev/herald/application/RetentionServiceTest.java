package dev.herald.application;

import dev.herald.application.RetentionService.Sweep;
import dev.herald.application.config.HeraldConfig;
import dev.herald.application.config.Settings;
import dev.herald.application.session.ClientSession;
import dev.herald.domain.ChannelName;
import dev.herald.domain.EventDraft;
import dev.herald.domain.EventType;
import dev.herald.domain.RetentionStore;
import dev.herald.domain.Sequence;
import dev.herald.domain.StoreUnavailableException;
import dev.herald.infrastructure.broker.memory.InMemoryBroker;
import dev.herald.testing.ApplicationHarness;
import dev.herald.testing.Frames;
import dev.herald.testing.InMemoryEventStore;
import dev.herald.testing.InMemoryLeases;
import dev.herald.testing.MutableClock;
import dev.herald.testing.RecordingConnection;
import dev.herald.testing.TestTokens;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;

import static dev.herald.testing.Frames.eventsOn;
import static dev.herald.testing.Frames.ofType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetentionServiceTest {

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final EventType TYPE = new EventType("step");
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final MutableClock clock = new MutableClock(T0);
    private final InMemoryEventStore events = new InMemoryEventStore(clock);
    private final CountingRetentionStore store = new CountingRetentionStore(events);
    private final InMemoryLeases leases = new InMemoryLeases(clock);
    private ApplicationHarness herald;

    @AfterEach
    void stop() {
        if (herald != null) {
            herald.close();
        }
    }

    private static HeraldConfig config(Map<String, String> settings) {
        return HeraldConfig.from(new Settings(key -> Optional.ofNullable(settings.get(key))));
    }

    private RetentionService service(String owner, Map<String, String> settings) {
        return new RetentionService(store, leases, config(settings), clock, owner);
    }

    private static ChannelName channel(String id) {
        return ChannelName.of("retention", id);
    }

    private void append(ChannelName channel, int count) {
        for (int i = 0; i < count; i++) {
            events.append(channel, new EventDraft(TYPE, "{}", null));
        }
    }

    private List<Long> held(ChannelName channel) {
        return events.read(channel, Sequence.ZERO, 10_000).stream().map(e -> e.seq().value()).toList();
    }

    private static List<Long> range(long fromInclusive, long toInclusive) {
        return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().toList();
    }

    // --- what is deleted ---------------------------------------------------------------------

    @Test
    void keepsTheNewestMaxEventsOfEveryChannel() {
        // given
        append(channel("a"), 12);
        append(channel("b"), 5);
        append(channel("c"), 3);
        RetentionService retention = service("one", Map.of("herald.retention.max-events", "5", "herald.retention.max-age", "0"));

        // when
        Sweep sweep = retention.sweep();

        // then
        assertEquals(new Sweep(Sweep.Outcome.COMPLETED, 3, 7), sweep);
        assertEquals(range(8, 12), held(channel("a")));
        assertEquals(range(1, 5), held(channel("b")));
        assertEquals(range(1, 3), held(channel("c")));
        assertEquals(Sequence.of(12), events.head(channel("a")));
    }

    @Test
    void deletesEventsOlderThanMaxAgeAndKeepsTheHead() {
        // given: "a" has four events from T0 and three from two hours later, "b" only old ones
        append(channel("a"), 4);
        append(channel("b"), 2);
        clock.advance(Duration.ofHours(2));
        append(channel("a"), 3);
        RetentionService retention = service("one", Map.of("herald.retention.max-age", "1h", "herald.retention.max-events", "0"));

        // when
        Sweep sweep = retention.sweep();

        // then
        assertEquals(new Sweep(Sweep.Outcome.COMPLETED, 2, 6), sweep);
        assertEquals(range(5, 7), held(channel("a")));
        assertEquals(List.of(), held(channel("b")));
        assertEquals(Sequence.of(2), events.head(channel("b")));
        assertEquals(Sequence.of(3), events.append(channel("b"), new EventDraft(TYPE, "{}", null)).seq(),
                "numbering continues after every event was deleted");
    }

    @Test
    void appliesWhicheverLimitDeletesMore() {
        // given: "a" has two old and five young events, "b" four old and one young; keep 3 and one hour
        append(channel("a"), 2);
        append(channel("b"), 4);
        clock.advance(Duration.ofHours(2));
        append(channel("a"), 5);
        append(channel("b"), 1);
        RetentionService retention = service("one", Map.of("herald.retention.max-age", "1h", "herald.retention.max-events", "3"));

        // when
        Sweep sweep = retention.sweep();

        // then: the count limit trims "a", the age limit trims "b" further
        assertEquals(range(5, 7), held(channel("a")));
        assertEquals(List.of(5L), held(channel("b")));
        assertEquals(8, sweep.deleted());
    }

    @Test
    void withBothLimitsZeroNothingIsDeletedAndNoLeaseTaken() {
        // given
        append(channel("a"), 10);
        clock.advance(Duration.ofDays(400));
        RetentionService retention = service("one", Map.of("herald.retention.max-age", "0", "herald.retention.max-events", "0"));

        // when
        Sweep sweep = retention.sweep();

        // then
        assertEquals(Sweep.Outcome.DISABLED, sweep.outcome());
        assertEquals(range(1, 10), held(channel("a")));
        assertEquals(0, store.calls());
        assertTrue(leases.tryAcquire(RetentionService.LEASE, "other", Duration.ofSeconds(1)), "the lease was never taken");
    }

    @Test
    void theDefaultsKeepAWeekAndOneHundredThousandEvents() {
        // given: one event from eight days ago, one from six days ago
        append(channel("a"), 1);
        clock.advance(Duration.ofDays(2));
        append(channel("a"), 1);
        clock.advance(Duration.ofDays(6));

        // when
        Sweep sweep = service("one", Map.of()).sweep();

        // then
        assertEquals(1, sweep.deleted());
        assertEquals(List.of(2L), held(channel("a")));
    }

    // --- batches -----------------------------------------------------------------------------

    @Test
    void deletesByCountInBatchesOfTheConfiguredSize() {
        // given: 27 events, keep 5: 22 to delete in batches of 4
        append(channel("a"), 27);
        RetentionService retention = service("one", Map.of("herald.retention.max-events", "5",
                "herald.retention.max-age", "0", "herald.retention.batch-size", "4"));

        // when
        Sweep sweep = retention.sweep();

        // then: one transaction per call, none over four rows
        assertEquals(22, sweep.deleted());
        assertEquals(List.of(4, 4, 4, 4, 4, 4), store.deleteLimits);
        assertEquals(List.of(4, 4, 4, 4, 4, 2), store.deletedPerCall);
        assertEquals(range(23, 27), held(channel("a")));
    }

    @Test
    void deletesByAgeInBatchesOfTheConfiguredSize() {
        // given: ten old events and one young, batches of 4
        append(channel("a"), 10);
        clock.advance(Duration.ofHours(2));
        append(channel("a"), 1);
        RetentionService retention = service("one", Map.of("herald.retention.max-age", "1h",
                "herald.retention.max-events", "0", "herald.retention.batch-size", "4"));

        // when
        Sweep sweep = retention.sweep();

        // then
        assertEquals(10, sweep.deleted());
        assertEquals(List.of(4, 4, 4), store.lookLimits);
        assertEquals(List.of(4, 4, 4), store.deleteLimits);
        assertEquals(List.of(4, 4, 2), store.deletedPerCall);
        assertEquals(List.of(11L), held(channel("a")));
    }

    @Test
    void listsChannelsInPagesOfTheBatchSize() {
        // given
        for (int i = 0; i < 9; i++) {
            append(channel("ch" + i), 1);
        }
        RetentionService retention = service("one", Map.of("herald.retention.batch-size", "4"));

        // when
        Sweep sweep = retention.sweep();

        // then
        assertEquals(9, sweep.channels());
        assertEquals(List.of(4, 4, 4), store.listLimits, "pages of 4, 4 and 1");
    }

    // --- one instance at a time --------------------------------------------------------------

    @Test
    void onlyTheLeaseHolderSweeps() {
        // given: another instance holds the lease
        append(channel("a"), 10);
        assertTrue(leases.tryAcquire(RetentionService.LEASE, "other", RetentionService.LEASE_TTL));
        RetentionService retention = service("one", Map.of("herald.retention.max-events", "2"));

        // when
        Sweep whileHeld = retention.sweep();

        // then
        assertEquals(new Sweep(Sweep.Outcome.NOT_LEASE_HOLDER, 0, 0), whileHeld);
        assertEquals(0, store.calls());
        assertEquals(range(1, 10), held(channel("a")));

        // and when the other instance's lease expires without renewal
        clock.advance(RetentionService.LEASE_TTL);
        Sweep afterExpiry = retention.sweep();

        // then
        assertEquals(new Sweep(Sweep.Outcome.COMPLETED, 1, 8), afterExpiry);
    }

    @Test
    void aSecondInstanceDoesNotSweepWhileTheFirstIsSweeping() {
        // given
        append(channel("a"), 10);
        Map<String, String> settings = Map.of("herald.retention.max-events", "2", "herald.retention.batch-size", "3");
        RetentionService first = service("first", settings);
        RetentionService second = service("second", settings);
        List<Sweep> secondsSweeps = new ArrayList<>();
        store.afterDelete = () -> {
            if (secondsSweeps.isEmpty()) {
                secondsSweeps.add(second.sweep());
            }
        };

        // when
        Sweep firstSweep = first.sweep();

        // then
        assertEquals(Sweep.Outcome.COMPLETED, firstSweep.outcome());
        assertEquals(List.of(new Sweep(Sweep.Outcome.NOT_LEASE_HOLDER, 0, 0)), secondsSweeps);
        assertEquals(range(9, 10), held(channel("a")));
    }

    @Test
    void aSecondSweepOfTheSameInstanceDoesNotStartWhileTheFirstRuns() {
        // given: the lease admits its owner again, so only the service can keep its own sweeps apart
        append(channel("a"), 10);
        RetentionService retention = service("one", Map.of("herald.retention.max-events", "2", "herald.retention.batch-size", "3"));
        List<Sweep> nested = new ArrayList<>();
        AtomicBoolean tried = new AtomicBoolean();
        store.afterDelete = () -> {
            if (tried.compareAndSet(false, true)) {
                nested.add(retention.sweep());
            }
        };

        // when
        Sweep sweep = retention.sweep();

        // then
        assertEquals(new Sweep(Sweep.Outcome.COMPLETED, 1, 8), sweep);
        assertEquals(List.of(new Sweep(Sweep.Outcome.ALREADY_RUNNING, 0, 0)), nested);
        assertEquals(List.of(3, 3, 2), store.deletedPerCall);
        assertEquals(Sweep.Outcome.COMPLETED, retention.sweep().outcome(), "the next sweep runs again");
    }

    @Test
    void stopsAtOnceWhenTheLeaseIsLost() {
        // given: the first batch stalls past the lease's expiry and another instance takes over
        append(channel("a"), 10);
        RetentionService retention = service("one", Map.of("herald.retention.max-events", "0",
                "herald.retention.max-age", "1h", "herald.retention.batch-size", "2"));
        clock.advance(Duration.ofHours(2));
        store.afterDelete = () -> {
            if (store.deletedPerCall.size() == 1) {
                clock.advance(RetentionService.LEASE_TTL.plusSeconds(1));
                assertTrue(leases.tryAcquire(RetentionService.LEASE, "other", RetentionService.LEASE_TTL));
            }
        };

        // when
        Sweep sweep = retention.sweep();

        // then
        assertEquals(new Sweep(Sweep.Outcome.LEASE_LOST, 1, 2), sweep);
        assertEquals(List.of(2), store.deletedPerCall);
        assertEquals(range(3, 10), held(channel("a")));
        assertFalse(leases.tryAcquire(RetentionService.LEASE, "third", RetentionService.LEASE_TTL),
                "the new owner keeps the lease: the stopped sweep did not release it");
    }

    @Test
    void renewsTheLeaseDuringALongSweep() {
        // given: every batch takes 25 s, 250 s in all, well past the lease's time to live
        append(channel("a"), 20);
        RetentionService retention = service("one", Map.of("herald.retention.max-events", "0",
                "herald.retention.max-age", "1h", "herald.retention.batch-size", "2"));
        clock.advance(Duration.ofHours(2));
        List<Boolean> takenByOthers = new ArrayList<>();
        store.afterDelete = () -> {
            clock.advance(Duration.ofSeconds(25));
            takenByOthers.add(leases.tryAcquire(RetentionService.LEASE, "other", RetentionService.LEASE_TTL));
        };

        // when
        Sweep sweep = retention.sweep();

        // then
        assertEquals(new Sweep(Sweep.Outcome.COMPLETED, 1, 20), sweep);
        assertEquals(10, takenByOthers.size());
        assertFalse(takenByOthers.contains(true), "another instance got the lease mid-sweep: " + takenByOthers);
    }

    @Test
    void releasesTheLeaseWhenDone() {
        // given
        append(channel("a"), 3);
        service("one", Map.of("herald.retention.max-events", "1")).sweep();

        // when
        boolean other = leases.tryAcquire(RetentionService.LEASE, "other", RetentionService.LEASE_TTL);

        // then
        assertTrue(other);
        assertEquals(List.of(3L), held(channel("a")));
    }

    @Test
    void releasesTheLeaseWhenTheStoreFails() {
        // given
        append(channel("a"), 3);
        store.afterDelete = () -> {
            throw new StoreUnavailableException("test database is down", null);
        };
        RetentionService retention = service("one", Map.of("herald.retention.max-events", "1"));

        // when
        assertThrows(StoreUnavailableException.class, retention::sweep);

        // then
        assertTrue(leases.tryAcquire(RetentionService.LEASE, "other", RetentionService.LEASE_TTL));
    }

    // --- what clients see --------------------------------------------------------------------

    @Test
    void aReplayFromBeforeTheNewEarliestIsNotRecoveredAndOneFromAfterIs() throws Exception {
        // given: ten events on a running Herald, then a sweep keeping three
        herald = new ApplicationHarness(new InMemoryBroker(), Clock.systemUTC(),
                Map.of("herald.retention.max-events", "3", "herald.retention.batch-size", "2"));
        ChannelName channel = ChannelName.parse("diagnosis:7");
        for (int i = 1; i <= 10; i++) {
            herald.publishing.publish(channel, new EventDraft(TYPE, "{\"n\":" + i + "}", null));
        }
        RetentionService retention = new RetentionService(herald.store, new InMemoryLeases(Clock.systemUTC()),
                herald.config, Clock.systemUTC(), "one");
        assertEquals(7, retention.sweep().deleted());

        // when
        RecordingConnection tooOld = new RecordingConnection();
        RecordingConnection justInTime = new RecordingConnection();
        herald.subscriptions.subscribe(connect(tooOld, "alice"), channel, Optional.of(Sequence.of(2)), null);
        herald.subscriptions.subscribe(connect(justInTime, "bob"), channel, Optional.of(Sequence.of(7)), null);

        // then
        JsonObject lost = Frames.parse(tooOld.await(ofType("subscribed"), WAIT));
        assertFalse(lost.getBoolean("recovered"));
        assertEquals(10, lost.getInt("seq"));
        JsonObject recovered = Frames.parse(justInTime.await(ofType("subscribed"), WAIT));
        assertTrue(recovered.getBoolean("recovered"));
        assertEquals(List.of(8L, 9L, 10L), Frames.seqs(justInTime.awaitCount(eventsOn(channel.value()), 3, WAIT)));

        // and the next event continues the numbering for both
        herald.publishing.publish(channel, new EventDraft(TYPE, "{\"n\":11}", null));
        assertEquals(List.of(11L), Frames.seqs(tooOld.awaitCount(eventsOn(channel.value()), 1, WAIT)));
        assertEquals(List.of(8L, 9L, 10L, 11L), Frames.seqs(justInTime.awaitCount(eventsOn(channel.value()), 4, WAIT)));
    }

    private ClientSession connect(RecordingConnection connection, String user) {
        ClientSession session = herald.registry.open(connection, Optional.empty(), Optional.empty());
        session.authenticate(TestTokens.user(user, List.of("diagnosis:*"), List.of("diagnosis:*"), Instant.now().plusSeconds(3600)));
        return session;
    }

    /** Records every call, each of which is one transaction in the JPA store, and can act after each delete. */
    private static final class CountingRetentionStore implements RetentionStore {
        private final RetentionStore delegate;
        final List<Integer> listLimits = new CopyOnWriteArrayList<>();
        final List<Integer> lookLimits = new CopyOnWriteArrayList<>();
        final List<Integer> deleteLimits = new CopyOnWriteArrayList<>();
        final List<Integer> deletedPerCall = new CopyOnWriteArrayList<>();
        Runnable afterDelete = () -> { };

        CountingRetentionStore(RetentionStore delegate) {
            this.delegate = delegate;
        }

        int calls() {
            return listLimits.size() + lookLimits.size() + deleteLimits.size();
        }

        @Override
        public List<ChannelHead> channels(Optional<ChannelName> after, int limit) {
            listLimits.add(limit);
            return delegate.channels(after, limit);
        }

        @Override
        public Optional<Sequence> lastOlderThan(ChannelName channel, Instant cutoff, int limit) {
            lookLimits.add(limit);
            return delegate.lastOlderThan(channel, cutoff, limit);
        }

        @Override
        public int deleteThrough(ChannelName channel, Sequence upTo, int limit) {
            deleteLimits.add(limit);
            int deleted = delegate.deleteThrough(channel, upTo, limit);
            deletedPerCall.add(deleted);
            afterDelete.run();
            return deleted;
        }
    }
}
