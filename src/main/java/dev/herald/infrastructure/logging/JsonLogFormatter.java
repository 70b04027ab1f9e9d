package dev.herald.infrastructure.logging;

import dev.herald.application.delivery.JsonText;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;
import java.util.regex.Pattern;

/**
 * One JSON object per log record and line, for log collectors:
 * {@code {"ts":"2026-...Z","level":"INFO","logger":"dev.herald.Hub","thread":"...","message":"...","exception":"..."}}.
 * Anything that looks like a credential is masked first (a {@code token=} or {@code access_token=}
 * query parameter, a {@code Bearer} value, a JWT), so a careless message cannot leak a token.
 */
public final class JsonLogFormatter extends Formatter {

    private static final Pattern QUERY_TOKEN = Pattern.compile("(?i)\\b((?:access_)?token=)[^&\\s\"']+");
    private static final Pattern BEARER = Pattern.compile("(?i)\\b(bearer\\s+)[A-Za-z0-9._~+/=-]+");
    private static final Pattern JWT = Pattern.compile("\\beyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

    @Override
    public String format(LogRecord record) {
        StringBuilder out = new StringBuilder(256).append("{\"ts\":\"").append(Instant.ofEpochMilli(record.getMillis()))
                .append("\",\"level\":\"").append(record.getLevel().getName()).append("\",\"logger\":");
        JsonText.quote(out, record.getLoggerName() == null ? "" : record.getLoggerName()).append(",\"thread\":");
        JsonText.quote(out, Thread.currentThread().getName()).append(",\"message\":");
        JsonText.quote(out, redact(formatMessage(record)));
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            JsonText.quote(out.append(",\"exception\":"), redact(trace.toString()));
        }
        return out.append("}\n").toString();
    }

    /** Masks token query parameters, bearer values and anything shaped like a JWT. */
    static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        String masked = JWT.matcher(text).replaceAll("[redacted]");
        masked = QUERY_TOKEN.matcher(masked).replaceAll("$1[redacted]");
        return BEARER.matcher(masked).replaceAll("$1[redacted]");
    }
}
