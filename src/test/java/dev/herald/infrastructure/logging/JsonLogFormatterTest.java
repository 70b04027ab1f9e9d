package dev.herald.infrastructure.logging;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonLogFormatterTest {

    private static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";

    private final JsonLogFormatter formatter = new JsonLogFormatter();

    @Test
    void writesOneJsonObjectPerLineWithLevelLoggerAndFormattedMessage() {
        LogRecord record = new LogRecord(Level.WARNING, "channel {0} is \"behind\"\tby {1}");
        record.setLoggerName("dev.herald.application.delivery.Hub");
        record.setParameters(new Object[]{"diagnosis:42", 3});

        String line = formatter.format(record);

        assertTrue(line.endsWith("}\n"));
        assertEquals(1, line.split("\n").length, "one line");
        JsonObject json = parse(line);
        assertEquals("WARNING", json.getString("level"));
        assertEquals("dev.herald.application.delivery.Hub", json.getString("logger"));
        assertEquals("channel diagnosis:42 is \"behind\"\tby 3", json.getString("message"));
        assertTrue(json.getString("ts").endsWith("Z"));
        assertFalse(json.containsKey("exception"));
    }

    @Test
    void includesTheStackTraceOfAThrownException() {
        LogRecord record = new LogRecord(Level.SEVERE, "delivery failed");
        record.setThrown(new IllegalStateException("boom"));

        JsonObject json = parse(formatter.format(record));

        assertTrue(json.getString("exception").startsWith("java.lang.IllegalStateException: boom\n"), json.toString());
    }

    @Test
    void masksTokensInQueryStringsBearerHeadersAndBareJwts() {
        LogRecord record = new LogRecord(Level.INFO, "GET /ws?token=abc.def.ghi&x=1 /api?access_token=s3cr3t "
                + "Authorization: Bearer opaque-value and " + JWT + " in a message");

        String message = parse(formatter.format(record)).getString("message");

        assertFalse(message.contains("abc.def.ghi"), message);
        assertFalse(message.contains("s3cr3t"), message);
        assertFalse(message.contains("opaque-value"), message);
        assertFalse(message.contains(JWT), message);
        assertTrue(message.contains("token=[redacted]&x=1"), message);
        assertTrue(message.contains("access_token=[redacted]"), message);
    }

    private static JsonObject parse(String line) {
        return Json.createReader(new StringReader(line)).readObject();
    }
}
