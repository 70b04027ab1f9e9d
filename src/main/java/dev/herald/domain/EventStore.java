package dev.herald.domain;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The durable history of every channel.
 *
 * <p>Guarantees: {@link #append} assigns the channel's next sequence number and returns only after
 * the event is committed; appends to one channel commit in sequence order, even from several
 * threads or several Herald instances, so an event that is visible implies that every earlier event
 * of its channel is visible too. That is what lets any receiver repair a gap from the store.
 */
public interface EventStore {

    /** Stores the event as the channel's next one and returns it with its sequence and timestamp. */
    Event append(ChannelName channel, EventDraft draft);

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
