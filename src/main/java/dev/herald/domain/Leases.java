package dev.herald.domain;

import java.time.Duration;

/**
 * Named leases shared by every Herald instance, for work that one instance at a time should do
 * (the retention sweep).
 *
 * <p>Guarantees: at any moment a lease has at most one owner. Of several instances acquiring the
 * same free or expired lease at once, exactly one succeeds. A lease is held until its owner
 * releases it or until its time to live passes without a renewal; then any instance may take it.
 * Expiry is judged by the clock of the instance that asks, so instances' clocks must agree to well
 * within the time to live (NTP does). A lease makes work exclusive, not atomic: an owner that
 * stalls past expiry may still finish a statement after another took over, so leased work must be
 * harmless when repeated.
 *
 * <p>Names and owners are non-blank strings of at most 128 characters; a time to live is positive.
 */
public interface Leases {

    /**
     * Takes the lease for {@code owner} for {@code ttl} if it is free, expired or already held by
     * {@code owner} (which extends it).
     *
     * @return whether {@code owner} now holds the lease
     */
    boolean tryAcquire(String name, String owner, Duration ttl);

    /**
     * Extends the lease held by {@code owner} to {@code ttl} from now. Fails once the lease expired
     * or was released, even if nobody took it since: from its expiry on, another instance may have
     * started the work, so the owner must stop rather than carry on.
     *
     * @return whether {@code owner} still holds the lease
     */
    boolean renew(String name, String owner, Duration ttl);

    /** Gives the lease up at once if {@code owner} holds it; otherwise does nothing. */
    void release(String name, String owner);

    /** Longest name or owner. */
    int MAX_LENGTH = 128;

    /** Checks the arguments every implementation takes, naming the one that is wrong. */
    static void requireValid(String name, String owner, Duration ttl) {
        requireText("lease name", name);
        requireText("lease owner", owner);
        if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
            throw new IllegalArgumentException("lease time to live must be positive: " + ttl);
        }
    }

    private static void requireText(String what, String text) {
        if (text == null || text.isBlank() || text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(what + " must be 1 to " + MAX_LENGTH + " characters, not blank");
        }
    }
}
