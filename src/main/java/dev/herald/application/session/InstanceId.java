package dev.herald.application.session;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One running Herald instance, as the other instances know it. Random at every start: an instance
 * that restarts is a new one, and whatever the old one left in shared state simply expires.
 */
public record InstanceId(String value) {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public InstanceId {
        Objects.requireNonNull(value, "value");
        // Shared-state entries join ids with '|'; only URL-safe characters keep them unambiguous.
        if (!VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("an instance id is 1 to 64 characters of [A-Za-z0-9_-]");
        }
    }

    public static InstanceId random() {
        byte[] bytes = new byte[9];
        RANDOM.nextBytes(bytes);
        return new InstanceId(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    @Override
    public String toString() {
        return value;
    }
}
