package dev.herald.testing;

import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventDraft;
import dev.herald.domain.EventStore;
import dev.herald.domain.Sequence;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Herald's in-memory {@link EventStore} for unit tests: the same guarantees as the JPA store
 * (appends per channel are serialized, so visibility follows sequence order), held in a map.
 */
public class InMemoryEventStore implements EventStore {

    private final Map<ChannelName, List<Event>> channels = new ConcurrentHashMap<>();
    private final Clock clock;

    public InMemoryEventStore(Clock clock) {
        this.clock = clock;
    }

    public InMemoryEventStore() {
        this(Clock.systemUTC());
    }

    @Override
    public Event append(ChannelName channel, EventDraft draft) {
        List<Event> events = channels.computeIfAbsent(channel, c -> new ArrayList<>());
        synchronized (events) {
            long seq = events.isEmpty() ? 1 : events.get(events.size() - 1).seq().value() + 1;
            Event event = new Event(channel, Sequence.of(seq), draft.type(),
                    clock.instant().truncatedTo(ChronoUnit.MILLIS), draft.data(), draft.correlationId());
            events.add(event);
            return event;
        }
    }

    @Override
    public Sequence head(ChannelName channel) {
        List<Event> events = channels.get(channel);
        if (events == null) {
            return Sequence.ZERO;
        }
        synchronized (events) {
            return events.isEmpty() ? Sequence.ZERO : events.get(events.size() - 1).seq();
        }
    }

    @Override
    public Map<ChannelName, Sequence> heads(Collection<ChannelName> names) {
        Map<ChannelName, Sequence> heads = new HashMap<>();
        for (ChannelName name : names) {
            if (channels.containsKey(name)) {
                heads.put(name, head(name));
            }
        }
        return heads;
    }

    @Override
    public List<Event> read(ChannelName channel, Sequence after, int limit) {
        List<Event> events = channels.get(channel);
        if (events == null) {
            return List.of();
        }
        synchronized (events) {
            List<Event> page = new ArrayList<>();
            for (Event e : events) {
                if (e.seq().isAfter(after)) {
                    page.add(e);
                    if (page.size() == limit) {
                        break;
                    }
                }
            }
            return page;
        }
    }

    @Override
    public Optional<Sequence> earliest(ChannelName channel) {
        List<Event> events = channels.get(channel);
        if (events == null) {
            return Optional.empty();
        }
        synchronized (events) {
            return events.isEmpty() ? Optional.empty() : Optional.of(events.get(0).seq());
        }
    }

    /** Drops every event up to and including {@code upTo}, as retention would. */
    public void dropThrough(ChannelName channel, Sequence upTo) {
        List<Event> events = channels.get(channel);
        if (events != null) {
            synchronized (events) {
                events.removeIf(e -> !e.seq().isAfter(upTo));
            }
        }
    }
}
