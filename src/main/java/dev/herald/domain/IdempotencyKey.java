package dev.herald.domain;

import java.util.Optional;

/**
 * A publisher's name for one publish, so that repeating the publish (after a timeout, a crash, a
 * redelivery) stores the event only once. One namespace for every channel: a key used on one
 * channel is taken on all of them. 1 to 128 characters, none of them a control character (a
 * database text column cannot hold every one of those).
 */
public record IdempotencyKey(String value) {

    public static final int MAX_LENGTH = 128;

    public IdempotencyKey {
        if (!isValid(value)) {
            throw new IllegalArgumentException("idempotency key must be 1 to " + MAX_LENGTH + " characters, without control characters");
        }
    }

    /** The key, or empty when the text breaks the rules. */
    public static Optional<IdempotencyKey> tryParse(String text) {
        return isValid(text) ? Optional.of(new IdempotencyKey(text)) : Optional.empty();
    }

    private static boolean isValid(String text) {
        return text != null && !text.isEmpty() && text.length() <= MAX_LENGTH
                && text.chars().noneMatch(Character::isISOControl);
    }

    @Override
    public String toString() {
        return value;
    }
}
