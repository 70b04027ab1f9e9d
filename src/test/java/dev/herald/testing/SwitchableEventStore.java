package dev.herald.testing;

import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventDraft;
import dev.herald.domain.EventStore;
import dev.herald.domain.IdempotencyKey;
import dev.herald.domain.Sequence;
import dev.herald.domain.StoreUnavailableException;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An {@link EventStore} whose database the test can take down and bring back. */
public class SwitchableEventStore implements EventStore {

    private final EventStore delegate;
    private volatile boolean down;

    public SwitchableEventStore(EventStore delegate) {
        this.delegate = delegate;
    }

    public void down() {
        down = true;
    }

    public void up() {
        down = false;
    }

    private void check() {
        if (down) {
            throw new StoreUnavailableException("test database is down", null);
        }
    }

    @Override
    public Event append(ChannelName channel, EventDraft draft) {
        check();
        return delegate.append(channel, draft);
    }

    @Override
    public Optional<Event> appendOnce(ChannelName channel, EventDraft draft, IdempotencyKey key) {
        check();
        return delegate.appendOnce(channel, draft, key);
    }

    @Override
    public List<Appended> appendAll(List<Append> batch) {
        check();
        return delegate.appendAll(batch);
    }

    @Override
    public Sequence head(ChannelName channel) {
        check();
        return delegate.head(channel);
    }

    @Override
    public Map<ChannelName, Sequence> heads(Collection<ChannelName> channels) {
        check();
        return delegate.heads(channels);
    }

    /** How many history reads reached this store (reconnect storms should barely touch it). */
    public final java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public List<Event> read(ChannelName channel, Sequence after, int limit) {
        check();
        reads.incrementAndGet();
        return delegate.read(channel, after, limit);
    }

    @Override
    public Optional<Sequence> earliest(ChannelName channel) {
        check();
        return delegate.earliest(channel);
    }
}
