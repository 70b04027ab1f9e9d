package dev.herald.application.delivery;

import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventType;
import dev.herald.domain.Sequence;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A channel's recent events: a run of consecutive sequences ending at the last one delivered. */
class RecentEventsTest {

    private static final ChannelName CHANNEL = ChannelName.parse("orders:1");

    private static Event event(long seq) {
        return new Event(CHANNEL, Sequence.of(seq), new EventType("e"), Instant.EPOCH, "{}", null);
    }

    private static List<RecentEvents.Entry> encoded(Event... events) {
        return java.util.Arrays.stream(events).map(e -> new RecentEvents.Entry(e, "frame " + e.seq().value())).toList();
    }

    private static List<Long> seqs(List<RecentEvents.Entry> entries) {
        return entries.stream().map(RecentEvents.Entry::seq).toList();
    }

    private static RecentEvents holding(int capacity, long from, long to) {
        RecentEvents recent = new RecentEvents(capacity);
        LongStream.rangeClosed(from, to).forEach(seq -> recent.append(event(seq), "frame " + seq));
        return recent;
    }

    @Test
    void keepsTheNewestEventsUpToItsCapacity() {
        RecentEvents recent = holding(4, 1, 10);

        assertEquals(4, recent.size());
        assertEquals(List.of(8L, 9L, 10L), seqs(recent.after(7, 100)));
        assertEquals(List.of(7L, 8L, 9L, 10L), seqs(recent.after(6, 100)));
        assertNull(recent.after(5, 100), "event 6 is gone: the store must be read");
    }

    @Test
    void aPositionAtTheEndOfTheRunHasNothingToReplayAndOneAheadOfItIsNotCovered() {
        RecentEvents recent = holding(8, 1, 5);

        assertEquals(List.of(), recent.after(5, 100));
        assertNull(recent.after(6, 100));
    }

    @Test
    void returnsAtMostTheRequestedNumberOldestFirst() {
        assertEquals(List.of(3L, 4L), seqs(holding(8, 1, 8).after(2, 2)));
    }

    @Test
    void anEventThatDoesNotFollowTheRunStartsItAfresh() {
        RecentEvents recent = holding(8, 1, 5);

        recent.append(event(9), "frame 9");

        assertEquals(1, recent.size());
        assertNull(recent.after(5, 100));
        assertEquals(List.of(9L), seqs(recent.after(8, 100)));
    }

    @Test
    void olderEventsFromTheStoreJoinTheFrontOnlyWhenTheyEndRightBeforeIt() {
        RecentEvents recent = holding(8, 6, 8);

        recent.prepend(encoded(event(1), event(2), event(3)), 8); // ends at 3, the run starts at 6: no
        assertNull(recent.after(2, 100));

        recent.prepend(encoded(event(3), event(4), event(5)), 8);
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L, 8L), seqs(recent.after(2, 100)));
    }

    @Test
    void olderEventsFillAnEmptyRunWhenTheyEndAtTheLastDeliveredAndKeepTheNewestWhenTooMany() {
        RecentEvents recent = new RecentEvents(3);

        recent.prepend(encoded(event(4), event(5), event(6), event(7)), 7);

        assertEquals(List.of(5L, 6L, 7L), seqs(recent.after(4, 100)));
        assertEquals("frame 8", holdingNext(recent));
    }

    private static String holdingNext(RecentEvents recent) {
        recent.append(event(8), "frame 8");
        return recent.after(7, 1).get(0).frame();
    }

    @Test
    void aCapacityOfZeroKeepsNothing() {
        RecentEvents recent = holding(0, 1, 5);

        assertEquals(0, recent.size());
        assertNull(recent.after(3, 100));
    }
}
