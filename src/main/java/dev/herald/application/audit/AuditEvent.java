package dev.herald.application.audit;

import dev.herald.application.session.ClientSession;
import dev.herald.domain.ChannelName;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What happened, as the code that saw it describes it; the {@link AuditLog} adds the id, the time
 * and the instance. Detail values are strings, numbers or booleans. Nothing here may hold a token.
 */
public record AuditEvent(AuditType type, AuditOutcome outcome, String user, String connection, String transport,
                         String channel, Map<String, Object> detail) {

    /** Longest detail string kept; longer ones (a client's close reason) are cut. */
    static final int MAX_DETAIL_STRING = 256;

    public AuditEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(outcome, "outcome");
        detail = Collections.unmodifiableMap(new LinkedHashMap<>(detail));
    }

    public static AuditEvent of(AuditType type, AuditOutcome outcome) {
        return new AuditEvent(type, outcome, null, null, null, null, Map.of());
    }

    /** The session's user (once authenticated), id and transport. */
    public AuditEvent session(ClientSession session) {
        return new AuditEvent(type, outcome, session.principal().map(p -> p.subject()).orElse(user), session.id(),
                session.transport(), channel, detail);
    }

    public AuditEvent user(String user) {
        return new AuditEvent(type, outcome, user, connection, transport, channel, detail);
    }

    public AuditEvent connection(String connection) {
        return new AuditEvent(type, outcome, user, connection, transport, channel, detail);
    }

    public AuditEvent transport(String transport) {
        return new AuditEvent(type, outcome, user, connection, transport, channel, detail);
    }

    public AuditEvent channel(ChannelName channel) {
        return new AuditEvent(type, outcome, user, connection, transport, channel.value(), detail);
    }

    /** Adds one detail entry; null values are left out, long strings cut. */
    public AuditEvent with(String key, Object value) {
        if (value == null) {
            return this;
        }
        if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
            throw new IllegalArgumentException("detail values are strings, numbers or booleans: " + key);
        }
        if (value instanceof String s && s.length() > MAX_DETAIL_STRING) {
            value = s.substring(0, MAX_DETAIL_STRING) + "...";
        }
        Map<String, Object> more = new LinkedHashMap<>(detail);
        more.put(key, value);
        return new AuditEvent(type, outcome, user, connection, transport, channel, more);
    }
}
