package dev.herald.domain;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An {@link EventStore} that passes every call to another one; subclasses override what they
 * change (group commit, tests that stall or count calls) and inherit the rest.
 */
public abstract class ForwardingEventStore implements EventStore {

    private final EventStore delegate;

    protected ForwardingEventStore(EventStore delegate) {
        this.delegate = delegate;
    }

    protected EventStore delegate() {
        return delegate;
    }

    @Override
    public Event append(ChannelName channel, EventDraft draft) {
        return delegate.append(channel, draft);
    }

    @Override
    public Optional<Event> appendOnce(ChannelName channel, EventDraft draft, IdempotencyKey key) {
        return delegate.appendOnce(channel, draft, key);
    }

    @Override
    public List<Appended> appendAll(List<Append> batch) {
        return delegate.appendAll(batch);
    }

    @Override
    public Sequence head(ChannelName channel) {
        return delegate.head(channel);
    }

    @Override
    public Map<ChannelName, Sequence> heads(Collection<ChannelName> channels) {
        return delegate.heads(channels);
    }

    @Override
    public List<Event> read(ChannelName channel, Sequence after, int limit) {
        return delegate.read(channel, after, limit);
    }

    @Override
    public Optional<Sequence> earliest(ChannelName channel) {
        return delegate.earliest(channel);
    }
}
