package dev.herald.domain;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A channel: {@code namespace:id}. The namespace is {@code [a-z][a-z0-9_-]{0,31}}, the id
 * {@code [A-Za-z0-9._@-]{1,128}}, so a name is at most 161 characters and never needs escaping in a
 * URL path, a Redis key or a log line.
 */
public record ChannelName(String namespace, String id) {

    private static final Pattern NAMESPACE = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._@-]{1,128}");

    /** Longest possible {@link #value()}: 32 + 1 + 128. */
    public static final int MAX_LENGTH = 161;

    public ChannelName {
        if (!isNamespace(namespace)) {
            throw new IllegalArgumentException("invalid channel namespace: must match [a-z][a-z0-9_-]{0,31}");
        }
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("invalid channel id: must match [A-Za-z0-9._@-]{1,128}");
        }
    }

    /** Parses {@code namespace:id}; empty when the text is not a valid channel name. */
    public static Optional<ChannelName> tryParse(String text) {
        if (text == null || text.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        int colon = text.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        String namespace = text.substring(0, colon);
        String id = text.substring(colon + 1);
        if (!isNamespace(namespace) || !ID.matcher(id).matches()) {
            return Optional.empty();
        }
        return Optional.of(new ChannelName(namespace, id));
    }

    /** Parses {@code namespace:id} or throws {@link IllegalArgumentException} naming the rule broken. */
    public static ChannelName parse(String text) {
        return tryParse(text).orElseThrow(() -> new IllegalArgumentException(
                "invalid channel name: expected namespace:id with namespace [a-z][a-z0-9_-]{0,31} and id [A-Za-z0-9._@-]{1,128}"));
    }

    public static boolean isNamespace(String text) {
        return text != null && NAMESPACE.matcher(text).matches();
    }

    public static ChannelName of(String namespace, String id) {
        return new ChannelName(namespace, id);
    }

    public String value() {
        return namespace + ':' + id;
    }

    @Override
    public String toString() {
        return value();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelName other && namespace.equals(other.namespace) && id.equals(other.id);
    }

    @Override
    public int hashCode() {
        return Objects.hash(namespace, id);
    }
}
