package dev.herald.domain;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Map;
import java.util.Optional;

/**
 * The durable history of every channel.
 *
 * <p>Guarantees: {@link #append} assigns the channel's next sequence number and returns only after
 * the event is committed; appends to one channel commit in sequence order, even from several
 * threads or several Herald instances, so an event that is visible implies that every earlier event
 * of its channel is visible too. That is what lets any receiver repair a gap from the store.
 *
 * <p>{@link #appendOnce} adds exactly-once publishing: the idempotency key is stored in the same
 * transaction as the event, so an event and its key are committed together or not at all.
 *
 * <p>{@link #appendAll} stores a batch, over any channels, in one transaction: all of it or none.
 */
public interface EventStore {

    /** Stores the event as the channel's next one and returns it with its sequence and timestamp. */
    Event append(ChannelName channel, EventDraft draft);

    /**
     * Appends like {@link #append} unless an event with this idempotency key was stored before, on
     * any channel, by any thread or instance: then stores nothing and returns empty. The key is
     * committed in the same transaction as the event, so of any number of concurrent or repeated
     * calls with one key exactly one stores its event, even across a crash between the commit and
     * the caller learning of it. When this returns empty the stored event is already visible.
     * Keys are kept for as long as the store keeps them (no expiry yet).
     *
     * @return the stored event, or empty when the key was already taken
     */
    Optional<Event> appendOnce(ChannelName channel, EventDraft draft, IdempotencyKey key);

    /**
     * Appends a batch in one transaction: every event of it is committed, or none is. Each append
     * with no key, or with a key not used before, is stored; an append whose key was used before (by
     * an earlier batch, any other append, or an earlier append of this batch) stores nothing and
     * reports the event its key stored. A channel's events of the batch get consecutive sequences in
     * the batch's order. Concurrent batches never deadlock: they take the channels in one order.
     *
     * @return one result per append, in the batch's order
     */
    List<Appended> appendAll(List<Append> batch);

    /** One event of a batch: where it goes, what it is, and optionally the publisher's idempotency key. */
    record Append(ChannelName channel, EventDraft draft, IdempotencyKey key) {

        public Append {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(draft, "draft");
        }

        /** An append without an idempotency key. */
        public Append(ChannelName channel, EventDraft draft) {
            this(channel, draft, null);
        }
    }

    /**
     * What became of one {@link Append}: the stored event, or, when its key had been used, no event
     * and the channel, sequence and time of the event that key stored.
     */
    record Appended(ChannelName channel, Sequence seq, Instant ts, Optional<Event> stored) {

        public static Appended of(Event event) {
            return new Appended(event.channel(), event.seq(), event.ts(), Optional.of(event));
        }

        public static Appended duplicateOf(ChannelName channel, Sequence seq, Instant ts) {
            return new Appended(channel, seq, ts, Optional.empty());
        }

        public boolean duplicate() {
            return stored.isEmpty();
        }
    }

    /** The sequence of the channel's last event; {@link Sequence#ZERO} for a channel never published to. */
    Sequence head(ChannelName channel);

    /**
     * The heads of many channels in one round trip, for the periodic check that catches events
     * whose broker message was lost. Channels never published to are absent from the result.
     */
    Map<ChannelName, Sequence> heads(Collection<ChannelName> channels);

    /** Up to {@code limit} events with sequence greater than {@code after}, in ascending order. */
    List<Event> read(ChannelName channel, Sequence after, int limit);

    /** The lowest sequence still held, or empty when the channel holds no events. */
    Optional<Sequence> earliest(ChannelName channel);
}
