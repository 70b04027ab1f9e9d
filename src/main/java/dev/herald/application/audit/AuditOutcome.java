package dev.herald.application.audit;

import java.util.Locale;
import java.util.Optional;

/** How the audited attempt ended: done, refused by a rule, or failed for a technical reason. */
public enum AuditOutcome {
    OK,
    DENIED,
    FAILED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<AuditOutcome> parse(String wire) {
        for (AuditOutcome o : values()) {
            if (o.wire().equals(wire)) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }
}
