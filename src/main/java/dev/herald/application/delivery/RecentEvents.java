package dev.herald.application.delivery;

import dev.herald.domain.Event;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The last events of one channel on this instance, with their encoded frames: a run of consecutive
 * sequences that ends at the last event delivered here. A subscriber that resumes from a position
 * inside the run is replayed from memory, without reading the store or encoding again, which is
 * what keeps a reconnect storm (thousands of clients that each missed a few events) off the
 * database. Not thread-safe: the channel's lock in {@link Hub} guards it.
 */
public final class RecentEvents {

    /** One event and the frame every subscriber is sent for it. */
    public record Entry(Event event, String frame) {

        public long seq() {
            return event.seq().value();
        }
    }

    private final int capacity;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();

    RecentEvents(int capacity) {
        this.capacity = capacity;
    }

    /** Adds the event delivered after the last one; anything else starts the run afresh. */
    void append(Event event, String frame) {
        if (capacity == 0) {
            return;
        }
        if (!entries.isEmpty() && entries.peekLast().seq() + 1 != event.seq().value()) {
            entries.clear();
        }
        entries.addLast(new Entry(event, frame));
        if (entries.size() > capacity) {
            entries.removeFirst();
        }
    }

    /**
     * Older events read from the store, added in front when they end right before the run (or,
     * for an empty run, at {@code delivered}) and while there is room; the newest stay.
     */
    void prepend(List<Entry> older, long delivered) {
        if (older.isEmpty() || capacity == 0) {
            return;
        }
        long next = entries.isEmpty() ? delivered + 1 : entries.peekFirst().seq();
        if (older.get(older.size() - 1).seq() + 1 != next) {
            return;
        }
        for (int i = older.size() - 1; i >= 0 && entries.size() < capacity; i--) {
            Entry entry = older.get(i);
            if (entry.seq() + 1 != next) {
                return; // not consecutive: keep what joins up
            }
            entries.addFirst(entry);
            next = entry.seq();
        }
    }

    /**
     * Up to {@code max} events after {@code position}, when the run holds the one right after it
     * (or {@code position} is its end: then none).
     *
     * @return null when the run does not reach back to {@code position + 1}
     */
    List<Entry> after(long position, int max) {
        if (entries.isEmpty()) {
            return null;
        }
        long first = entries.peekFirst().seq();
        long last = entries.peekLast().seq();
        if (position + 1 < first || position > last) {
            return null;
        }
        List<Entry> found = new ArrayList<>((int) Math.min(max, last - position));
        for (Entry entry : entries) {
            if (found.size() == max) {
                break;
            }
            if (entry.seq() > position) {
                found.add(entry);
            }
        }
        return found;
    }

    void clear() {
        entries.clear();
    }

    int size() {
        return entries.size();
    }
}
