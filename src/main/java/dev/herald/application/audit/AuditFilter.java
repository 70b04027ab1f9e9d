package dev.herald.application.audit;

import dev.herald.application.ErrorCode;
import dev.herald.application.HeraldException;
import dev.herald.application.delivery.JsonText;

import java.util.Optional;

/**
 * Which records an administrator wants: every present criterion must match. {@code channel} is a
 * prefix ({@code diagnosis:} matches every diagnosis channel), the others are exact.
 */
public record AuditFilter(Optional<AuditType> type, Optional<String> user, Optional<String> channelPrefix,
                          Optional<AuditOutcome> outcome) {

    public static final AuditFilter ALL = new AuditFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    /** Longest user or channel criterion accepted: the longest subject and channel name Herald stores. */
    static final int MAX_TEXT = 255;

    /**
     * Reads a filter from untrusted text (query parameters or a {@code filter} frame); null or blank
     * means no criterion.
     *
     * @throws HeraldException {@code invalid_field} naming the bad criterion
     */
    public static AuditFilter parse(String type, String user, String channel, String outcome) {
        Optional<AuditType> t = text(type, "type").map(v -> AuditType.parse(v).orElseThrow(() -> new HeraldException(
                ErrorCode.INVALID_FIELD, "unknown audit type '" + clip(v) + "': connect, disconnect, auth_failure,"
                + " subscribe_denied, publish, limit or admin")));
        Optional<AuditOutcome> o = text(outcome, "outcome").map(v -> AuditOutcome.parse(v).orElseThrow(() -> new HeraldException(
                ErrorCode.INVALID_FIELD, "unknown audit outcome '" + clip(v) + "': ok, denied or failed")));
        return new AuditFilter(t, text(user, "user"), text(channel, "channel"), o);
    }

    public boolean matches(AuditRecord record) {
        return type.map(t -> t == record.type()).orElse(true)
                && outcome.map(o -> o == record.outcome()).orElse(true)
                && user.map(u -> u.equals(record.user())).orElse(true)
                && channelPrefix.map(p -> record.channel() != null && record.channel().startsWith(p)).orElse(true);
    }

    /** {@code {"type":..,"user":..,"channel":..,"outcome":..}}, null for an absent criterion. */
    public String toJson() {
        StringBuilder out = new StringBuilder(96).append("{\"type\":");
        nullable(out, type.map(AuditType::wire)).append(",\"user\":");
        nullable(out, user).append(",\"channel\":");
        nullable(out, channelPrefix).append(",\"outcome\":");
        return nullable(out, outcome.map(AuditOutcome::wire)).append('}').toString();
    }

    private static Optional<String> text(String value, String field) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        if (value.length() > MAX_TEXT) {
            throw new HeraldException(ErrorCode.INVALID_FIELD, "'" + field + "' is longer than " + MAX_TEXT + " characters");
        }
        return Optional.of(value);
    }

    private static StringBuilder nullable(StringBuilder out, Optional<String> value) {
        return value.isEmpty() ? out.append("null") : JsonText.quote(out, value.get());
    }

    private static String clip(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "...";
    }
}
