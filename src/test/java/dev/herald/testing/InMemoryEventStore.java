package dev.herald.testing;

import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventDraft;
import dev.herald.domain.EventStore;
import dev.herald.domain.IdempotencyKey;
import dev.herald.domain.RetentionStore;
import dev.herald.domain.Sequence;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Herald's in-memory {@link EventStore} and {@link RetentionStore} for unit tests: the same
 * guarantees as the JPA stores (appends per channel are serialized, so visibility follows sequence
 * order; the head outlives deleted events), held in a map.
 */
public class InMemoryEventStore implements EventStore, RetentionStore {

    /** One channel: its head and the events still held, oldest first. Guarded by its own monitor. */
    private static final class Log {
        long head;
        final List<Event> events = new ArrayList<>();
    }

    private final Map<ChannelName, Log> channels = new ConcurrentHashMap<>();
    /** Idempotency keys and what they stored. Its monitor makes look-up and append one step. */
    private final Map<IdempotencyKey, Event> keys = new HashMap<>();
    private final Clock clock;

    public InMemoryEventStore(Clock clock) {
        this.clock = clock;
    }

    public InMemoryEventStore() {
        this(Clock.systemUTC());
    }

    @Override
    public Event append(ChannelName channel, EventDraft draft) {
        Log log = channels.computeIfAbsent(channel, c -> new Log());
        synchronized (log) {
            long seq = ++log.head;
            Event event = new Event(channel, Sequence.of(seq), draft.type(),
                    clock.instant().truncatedTo(ChronoUnit.MILLIS), draft.data(), draft.correlationId());
            log.events.add(event);
            return event;
        }
    }

    @Override
    public Optional<Event> appendOnce(ChannelName channel, EventDraft draft, IdempotencyKey key) {
        synchronized (keys) {
            if (keys.containsKey(key)) {
                return Optional.empty();
            }
            Event event = append(channel, draft);
            keys.put(key, event);
            return Optional.of(event);
        }
    }

    /**
     * Holds every channel of the batch (in name order) and the keys while it appends, so no other
     * append sees part of the batch.
     */
    @Override
    public List<Appended> appendAll(List<Append> batch) {
        List<Log> logs = batch.stream().map(Append::channel).distinct().sorted(Comparator.comparing(ChannelName::value))
                .map(c -> channels.computeIfAbsent(c, x -> new Log())).toList();
        synchronized (keys) {
            return holding(logs, 0, () -> {
                Instant ts = clock.instant().truncatedTo(ChronoUnit.MILLIS);
                List<Appended> results = new ArrayList<>();
                for (Append append : batch) {
                    Event earlier = append.key() == null ? null : keys.get(append.key());
                    if (earlier != null) {
                        results.add(Appended.duplicateOf(earlier.channel(), earlier.seq(), earlier.ts()));
                        continue;
                    }
                    Log log = channels.get(append.channel());
                    Event event = new Event(append.channel(), Sequence.of(++log.head), append.draft().type(), ts,
                            append.draft().data(), append.draft().correlationId());
                    log.events.add(event);
                    if (append.key() != null) {
                        keys.put(append.key(), event);
                    }
                    results.add(Appended.of(event));
                }
                return results;
            });
        }
    }

    private static <T> T holding(List<Log> logs, int from, java.util.function.Supplier<T> work) {
        if (from == logs.size()) {
            return work.get();
        }
        synchronized (logs.get(from)) {
            return holding(logs, from + 1, work);
        }
    }

    @Override
    public Sequence head(ChannelName channel) {
        Log log = channels.get(channel);
        if (log == null) {
            return Sequence.ZERO;
        }
        synchronized (log) {
            return Sequence.of(log.head);
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
        Log log = channels.get(channel);
        if (log == null) {
            return List.of();
        }
        synchronized (log) {
            List<Event> page = new ArrayList<>();
            for (Event e : log.events) {
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
        Log log = channels.get(channel);
        if (log == null) {
            return Optional.empty();
        }
        synchronized (log) {
            return log.events.isEmpty() ? Optional.empty() : Optional.of(log.events.get(0).seq());
        }
    }

    @Override
    public List<ChannelHead> channels(Optional<ChannelName> after, int limit) {
        String from = after.map(ChannelName::value).orElse(null);
        return channels.keySet().stream()
                .filter(c -> from == null || c.value().compareTo(from) > 0)
                .sorted(Comparator.comparing(ChannelName::value))
                .limit(limit)
                .map(c -> new ChannelHead(c, head(c)))
                .toList();
    }

    @Override
    public Optional<Sequence> lastOlderThan(ChannelName channel, Instant cutoff, int limit) {
        Log log = channels.get(channel);
        if (log == null) {
            return Optional.empty();
        }
        synchronized (log) {
            Sequence last = null;
            for (Event e : log.events.subList(0, Math.min(limit, log.events.size()))) {
                if (!e.ts().isBefore(cutoff)) {
                    break;
                }
                last = e.seq();
            }
            return Optional.ofNullable(last);
        }
    }

    @Override
    public int deleteThrough(ChannelName channel, Sequence upTo, int limit) {
        Log log = channels.get(channel);
        if (log == null) {
            return 0;
        }
        synchronized (log) {
            int deleted = 0;
            while (deleted < limit && !log.events.isEmpty() && !log.events.get(0).seq().isAfter(upTo)) {
                log.events.remove(0);
                deleted++;
            }
            return deleted;
        }
    }

    /** Drops every event up to and including {@code upTo} at once, as retention would over several batches. */
    public void dropThrough(ChannelName channel, Sequence upTo) {
        deleteThrough(channel, upTo, Integer.MAX_VALUE);
    }
}
