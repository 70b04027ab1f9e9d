package dev.herald.domain;

import dev.herald.testing.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link RetentionStore} must do over its {@link EventStore}, run against each
 * implementation by a subclass.
 *
 * <p>Implementations may share one database between tests: every test works on channels of its own,
 * so no test sees another's data and the order of tests does not matter.
 */
public abstract class RetentionStoreContract {

    private static final int ALL = 10_000;
    /** Upper bound for every loop that calls the store until it is done, so a bug fails instead of spinning. */
    private static final int MAX_CALLS = 1_000;
    private static final EventType TYPE = new EventType("retention.test");
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    /** An event store and the retention store over the same data. */
    public record Stores(EventStore events, RetentionStore retention) {
    }

    /** Stores that stamp events with {@code clock}; they may hold other tests' channels, never this test's. */
    protected abstract Stores newStores(Clock clock);

    protected MutableClock clock;
    protected EventStore events;
    protected RetentionStore retention;

    @BeforeEach
    void createStores() {
        clock = new MutableClock(T0);
        Stores stores = newStores(clock);
        events = stores.events();
        retention = stores.retention();
    }

    private static ChannelName newChannel() {
        return ChannelName.of("retention", "ch-" + UUID.randomUUID());
    }

    private void appendNumbered(ChannelName channel, int count) {
        for (int i = 0; i < count; i++) {
            events.append(channel, new EventDraft(TYPE, "{\"i\":" + i + "}", null));
        }
    }

    private List<Long> heldSeqs(ChannelName channel) {
        return events.read(channel, Sequence.ZERO, ALL).stream().map(e -> e.seq().value()).toList();
    }

    private static List<Long> range(long fromInclusive, long toInclusive) {
        return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().toList();
    }

    /** Deletes through {@code upTo} in batches as a sweep does, and returns what each call deleted. */
    private List<Integer> deleteInBatches(ChannelName channel, Sequence upTo, int batch) {
        List<Integer> deleted = new ArrayList<>();
        for (int calls = 0; calls < MAX_CALLS; calls++) {
            int n = retention.deleteThrough(channel, upTo, batch);
            deleted.add(n);
            if (n < batch) {
                return deleted;
            }
        }
        throw new AssertionError("deleteThrough kept deleting a full batch for " + MAX_CALLS + " calls");
    }

    // --- deleteThrough -----------------------------------------------------------------------

    @Test
    void deletesThroughASequenceInBatchesLeavingExactlyTheNewerEvents() {
        // given
        ChannelName channel = newChannel();
        ChannelName neighbour = newChannel();
        appendNumbered(channel, 25);
        appendNumbered(neighbour, 25);

        // when
        List<Integer> batches = deleteInBatches(channel, Sequence.of(17), 5);

        // then: three full batches and a short one, never more than five rows per call
        assertEquals(List.of(5, 5, 5, 2), batches);
        assertEquals(range(18, 25), heldSeqs(channel));
        assertEquals(Optional.of(Sequence.of(18)), events.earliest(channel));
        assertEquals(range(1, 25), heldSeqs(neighbour), "another channel is untouched");
    }

    @Test
    void eachCallDeletesTheOldestEventsAndAtMostTheLimit() {
        // given
        ChannelName channel = newChannel();
        appendNumbered(channel, 10);

        // when
        int first = retention.deleteThrough(channel, Sequence.of(1_000), 3);
        Optional<Sequence> earliestAfterFirst = events.earliest(channel);
        int second = retention.deleteThrough(channel, Sequence.of(1_000), 3);

        // then
        assertEquals(3, first);
        assertEquals(Optional.of(Sequence.of(4)), earliestAfterFirst);
        assertEquals(3, second);
        assertEquals(range(7, 10), heldSeqs(channel));
    }

    @Test
    void deletingEveryEventKeepsTheHeadAndTheNextAppendContinuesTheSequence() {
        // given
        ChannelName channel = newChannel();
        appendNumbered(channel, 5);

        // when
        List<Integer> batches = deleteInBatches(channel, Sequence.of(5), 2);

        // then
        assertEquals(List.of(2, 2, 1), batches);
        assertEquals(List.of(), heldSeqs(channel));
        assertEquals(Optional.empty(), events.earliest(channel));
        assertEquals(Sequence.of(5), events.head(channel));
        assertEquals(Map.of(channel, Sequence.of(5)), events.heads(List.of(channel)));

        // and when the channel is published to again
        Event next = events.append(channel, new EventDraft(TYPE, "{}", null));

        // then
        assertEquals(Sequence.of(6), next.seq());
        assertEquals(Optional.of(Sequence.of(6)), events.earliest(channel));
        assertEquals(List.of(6L), heldSeqs(channel));
    }

    @Test
    void earliestMovesWithEveryBatch() {
        // given
        ChannelName channel = newChannel();
        appendNumbered(channel, 9);

        // when / then
        List<Optional<Sequence>> earliest = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            retention.deleteThrough(channel, Sequence.of(7), 3);
            earliest.add(events.earliest(channel));
        }
        assertEquals(List.of(Optional.of(Sequence.of(4)), Optional.of(Sequence.of(7)),
                Optional.of(Sequence.of(8)), Optional.of(Sequence.of(8))), earliest);
        assertEquals(Sequence.of(9), events.head(channel));
    }

    @Test
    void deletingOnAnUnknownOrEmptiedChannelIsHarmless() {
        // given
        ChannelName unknown = newChannel();
        ChannelName emptied = newChannel();
        appendNumbered(emptied, 2);
        deleteInBatches(emptied, Sequence.of(2), 10);

        // when
        int fromUnknown = retention.deleteThrough(unknown, Sequence.of(100), 10);
        int fromEmptied = retention.deleteThrough(emptied, Sequence.of(100), 10);

        // then
        assertEquals(0, fromUnknown);
        assertEquals(0, fromEmptied);
        assertEquals(Sequence.ZERO, events.head(unknown));
        assertEquals(Map.of(), events.heads(List.of(unknown)), "deleting does not create the channel");
        assertEquals(Sequence.of(2), events.head(emptied));
        assertEquals(Sequence.of(1), events.append(unknown, new EventDraft(TYPE, "{}", null)).seq());
    }

    @Test
    void deletingBelowTheEarliestDeletesNothing() {
        // given
        ChannelName channel = newChannel();
        appendNumbered(channel, 6);
        retention.deleteThrough(channel, Sequence.of(3), 10);

        // when
        int again = retention.deleteThrough(channel, Sequence.of(3), 10);
        int zero = retention.deleteThrough(channel, Sequence.ZERO, 10);

        // then
        assertEquals(0, again);
        assertEquals(0, zero);
        assertEquals(range(4, 6), heldSeqs(channel));
    }

    // --- lastOlderThan -----------------------------------------------------------------------

    @Test
    void lastOlderThanFindsTheEndOfTheOldEvents() {
        // given: three events at T0, two an hour later
        ChannelName channel = newChannel();
        appendNumbered(channel, 3);
        clock.advance(Duration.ofHours(1));
        appendNumbered(channel, 2);

        // when
        Optional<Sequence> halfAnHourIn = retention.lastOlderThan(channel, T0.plus(Duration.ofMinutes(30)), 100);
        Optional<Sequence> atT0 = retention.lastOlderThan(channel, T0, 100);
        Optional<Sequence> atTheSecondBatch = retention.lastOlderThan(channel, T0.plus(Duration.ofHours(1)), 100);
        Optional<Sequence> later = retention.lastOlderThan(channel, T0.plus(Duration.ofDays(1)), 100);

        // then: strictly older than the cutoff
        assertEquals(Optional.of(Sequence.of(3)), halfAnHourIn);
        assertEquals(Optional.empty(), atT0, "an event stamped exactly at the cutoff is not older");
        assertEquals(Optional.of(Sequence.of(3)), atTheSecondBatch);
        assertEquals(Optional.of(Sequence.of(5)), later);
    }

    @Test
    void lastOlderThanLooksAtNoMoreThanTheLimit() {
        // given
        ChannelName channel = newChannel();
        appendNumbered(channel, 10);
        Instant cutoff = T0.plusSeconds(1);

        // when
        Optional<Sequence> firstFour = retention.lastOlderThan(channel, cutoff, 4);
        retention.deleteThrough(channel, firstFour.orElseThrow(), 4);
        Optional<Sequence> nextFour = retention.lastOlderThan(channel, cutoff, 4);

        // then
        assertEquals(Optional.of(Sequence.of(4)), firstFour);
        assertEquals(Optional.of(Sequence.of(8)), nextFour);
    }

    @Test
    void anAgeBasedCutoffDeletesOnlyTheOldEvents() {
        // given: four events at T0 and three two hours later; keep one hour
        ChannelName channel = newChannel();
        appendNumbered(channel, 4);
        clock.advance(Duration.ofHours(2));
        appendNumbered(channel, 3);
        Instant cutoff = clock.instant().minus(Duration.ofHours(1));

        // when: as a sweep does, find the end of the old run and delete through it, batch by batch
        long deleted = 0;
        for (int calls = 0; calls < MAX_CALLS; calls++) {
            Optional<Sequence> old = retention.lastOlderThan(channel, cutoff, 3);
            if (old.isEmpty()) {
                break;
            }
            deleted += retention.deleteThrough(channel, old.get(), 3);
        }

        // then
        assertEquals(4, deleted);
        assertEquals(range(5, 7), heldSeqs(channel));
        assertEquals(Optional.of(Sequence.of(5)), events.earliest(channel));
        assertEquals(Sequence.of(7), events.head(channel));
    }

    @Test
    void anEventStampedOutOfOrderEndsTheOldRun() {
        // given: event 2 carries a later time than event 3, as when two instances' clocks are apart
        ChannelName channel = newChannel();
        appendNumbered(channel, 1);
        clock.advance(Duration.ofHours(2));
        appendNumbered(channel, 1);
        clock.advance(Duration.ofHours(-1));
        appendNumbered(channel, 1);

        // when
        Optional<Sequence> old = retention.lastOlderThan(channel, T0.plus(Duration.ofMinutes(90)), 100);

        // then: event 3 is old, but deleting it would delete the younger event 2 too
        assertEquals(Optional.of(Sequence.of(1)), old);
    }

    @Test
    void lastOlderThanOnAnUnknownOrEmptiedChannelIsEmpty() {
        // given
        ChannelName emptied = newChannel();
        appendNumbered(emptied, 3);
        retention.deleteThrough(emptied, Sequence.of(3), 10);
        Instant future = T0.plus(Duration.ofDays(365));

        // when / then
        assertEquals(Optional.empty(), retention.lastOlderThan(newChannel(), future, 10));
        assertEquals(Optional.empty(), retention.lastOlderThan(emptied, future, 10));
    }

    // --- channels ----------------------------------------------------------------------------

    @Test
    void pagingThroughChannelsVisitsEachOnceWithItsHead() {
        // given: seven channels of this test, one of them with every event deleted
        Map<ChannelName, Sequence> mine = new HashMap<>();
        for (int i = 1; i <= 7; i++) {
            ChannelName channel = newChannel();
            appendNumbered(channel, i);
            mine.put(channel, Sequence.of(i));
        }
        ChannelName emptied = mine.keySet().iterator().next();
        retention.deleteThrough(emptied, mine.get(emptied), 100);

        // when: pages of three, each after the last name of the one before
        Map<ChannelName, Sequence> seen = new HashMap<>();
        Set<ChannelName> duplicates = new HashSet<>();
        Optional<ChannelName> after = Optional.empty();
        int pages = 0;
        while (pages < MAX_CALLS) {
            List<RetentionStore.ChannelHead> page = retention.channels(after, 3);
            pages++;
            assertTrue(page.size() <= 3, "a page holds at most the limit");
            for (RetentionStore.ChannelHead c : page) {
                if (seen.put(c.channel(), c.head()) != null) {
                    duplicates.add(c.channel());
                }
            }
            if (page.size() < 3) {
                break;
            }
            after = Optional.of(page.get(page.size() - 1).channel());
        }

        // then (the store may hold other tests' channels too)
        assertTrue(pages < MAX_CALLS, "paging ended");
        assertEquals(Set.of(), duplicates);
        for (Map.Entry<ChannelName, Sequence> channel : mine.entrySet()) {
            assertEquals(channel.getValue(), seen.get(channel.getKey()), "head of " + channel.getKey());
        }
        assertFalse(seen.containsKey(newChannel()));
    }

    @Test
    void aChannelNeverPublishedToIsNotListed() {
        // given
        ChannelName published = newChannel();
        ChannelName touched = newChannel();
        appendNumbered(published, 1);
        retention.deleteThrough(touched, Sequence.of(5), 5);
        retention.lastOlderThan(touched, T0.plus(Duration.ofDays(1)), 5);

        // when
        List<ChannelName> listed = new ArrayList<>();
        Optional<ChannelName> after = Optional.empty();
        for (int pages = 0; pages < MAX_CALLS; pages++) {
            List<RetentionStore.ChannelHead> page = retention.channels(after, 100);
            page.forEach(c -> listed.add(c.channel()));
            if (page.size() < 100) {
                break;
            }
            after = Optional.of(page.get(page.size() - 1).channel());
        }

        // then
        assertTrue(listed.contains(published));
        assertFalse(listed.contains(touched));
    }
}
