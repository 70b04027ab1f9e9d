package dev.herald.domain;

/**
 * A position in one channel's history. Events are numbered 1, 2, 3 ... without gaps; position 0 is
 * "before the first event". A subscriber at position N has seen every event up to and including N.
 */
public record Sequence(long value) implements Comparable<Sequence> {

    public static final Sequence ZERO = new Sequence(0);

    public Sequence {
        if (value < 0) {
            throw new IllegalArgumentException("sequence must not be negative: " + value);
        }
    }

    public static Sequence of(long value) {
        return value == 0 ? ZERO : new Sequence(value);
    }

    public Sequence next() {
        return new Sequence(value + 1);
    }

    public boolean isAfter(Sequence other) {
        return value > other.value;
    }

    @Override
    public int compareTo(Sequence other) {
        return Long.compare(value, other.value);
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
