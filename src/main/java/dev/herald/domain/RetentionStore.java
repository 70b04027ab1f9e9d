package dev.herald.domain;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Deleting old history from the {@link EventStore}, for retention. A port of its own so that the
 * delivery path (hub, replay, publishing) holds a store that cannot delete.
 *
 * <p>Guarantees: deletion only ever removes a channel's oldest events (a prefix of its history),
 * so the events still held are exactly {@link EventStore#earliest} to the head, without holes, and
 * a client whose position is below the earliest can be told it cannot be recovered. Deletion never
 * touches the channel's head: a channel whose events were all deleted keeps numbering from where it
 * was. Every operation is bounded by its {@code limit} and runs in one short transaction, so a
 * sweep never holds locks for long and can stop between any two calls. Deleting is idempotent: two
 * sweepers deleting the same prefix at once leave the same history as one.
 */
public interface RetentionStore {

    /** A channel and its head, as listed for a sweep. */
    record ChannelHead(ChannelName channel, Sequence head) {
    }

    /**
     * Up to {@code limit} channels ever published to, whose names sort after {@code after} (from
     * the first when empty), in the store's order of names. Paging with the last name of each page
     * visits every channel once. Channels whose events were all deleted are listed too.
     */
    List<ChannelHead> channels(Optional<ChannelName> after, int limit);

    /**
     * The end of the channel's run of old events: the highest sequence such that it and every event
     * held before it are older than {@code cutoff}, looking at no more than the {@code limit} oldest
     * events. Empty when the oldest event is not older than the cutoff or the channel holds none.
     * An event stamped out of order (clocks of two instances apart) ends the run: nothing at or
     * after an event younger than the cutoff is ever reported.
     */
    Optional<Sequence> lastOlderThan(ChannelName channel, Instant cutoff, int limit);

    /**
     * Deletes the channel's oldest events with sequence up to {@code upTo}, at most {@code limit}
     * of them, in one transaction; call again while it returns {@code limit}. Harmless on a channel
     * that is unknown, empty or already deleted that far.
     *
     * @return how many events were deleted
     */
    int deleteThrough(ChannelName channel, Sequence upTo, int limit);
}
