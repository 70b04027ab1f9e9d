package dev.herald.application.audit;

import dev.herald.application.delivery.JsonText;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One stored audit record, as {@code GET /api/audit} and {@code /ws/audit} show it.
 *
 * @param id       unique across instances, chosen when recorded
 * @param time     when it was recorded, to the millisecond
 * @param detail   a compact JSON object
 */
public record AuditRecord(String id, Instant time, AuditType type, AuditOutcome outcome, String user, String instance,
                          String connection, String transport, String channel, String detail) {

    public AuditRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(instance, "instance");
        detail = detail == null || detail.isBlank() ? "{}" : detail;
    }

    /** The record of an event, stamped by the log. */
    public static AuditRecord of(String id, Instant time, String instance, AuditEvent event) {
        return new AuditRecord(id, time, event.type(), event.outcome(), event.user(), instance, event.connection(),
                event.transport(), event.channel(), detailJson(event.detail()));
    }

    /** {@code {"id":..,"time":..,"type":..,"outcome":..,"user":..,"instance":..,"connection":..,"transport":..,"channel":..,"detail":{..}}} */
    public String toJson() {
        StringBuilder out = new StringBuilder(256).append("{\"id\":");
        JsonText.quote(out, id).append(",\"time\":");
        JsonText.quote(out, time.toString()).append(",\"type\":\"").append(type.wire())
                .append("\",\"outcome\":\"").append(outcome.wire()).append("\",\"user\":");
        nullable(out, user).append(",\"instance\":");
        JsonText.quote(out, instance).append(",\"connection\":");
        nullable(out, connection).append(",\"transport\":");
        nullable(out, transport).append(",\"channel\":");
        nullable(out, channel).append(",\"detail\":").append(detail).append('}');
        return out.toString();
    }

    static String detailJson(Map<String, Object> detail) {
        StringBuilder out = new StringBuilder(64).append('{');
        detail.forEach((key, value) -> {
            if (out.length() > 1) {
                out.append(',');
            }
            JsonText.quote(out, key).append(':');
            if (value instanceof String s) {
                JsonText.quote(out, s);
            } else {
                out.append(value);
            }
        });
        return out.append('}').toString();
    }

    private static StringBuilder nullable(StringBuilder out, String value) {
        return value == null ? out.append("null") : JsonText.quote(out, value);
    }
}
