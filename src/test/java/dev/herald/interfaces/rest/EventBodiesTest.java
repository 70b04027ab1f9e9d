package dev.herald.interfaces.rest;

import dev.herald.application.ErrorCode;
import dev.herald.application.HeraldException;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EventBodiesTest {

    private static final int LIMIT = 64;

    private static InputStream body(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aBodyOfItsDeclaredLengthIsParsed() throws IOException {
        String json = "{\"type\":\"step\",\"data\":{\"n\":1}}";
        JsonObject object = EventBodies.object(body(json), json.getBytes(StandardCharsets.UTF_8).length, LIMIT);
        assertEquals("step", object.getString("type"));
        assertEquals(1, object.getJsonObject("data").getInt("n"));
    }

    @Test
    void aBodyWithoutADeclaredLengthIsReadToItsEnd() throws IOException {
        assertEquals("chunked", EventBodies.object(body("{\"type\":\"chunked\"}"), -1, LIMIT).getString("type"));
    }

    @Test
    void aDeclaredLengthOverTheLimitIsRefused() {
        String json = "{\"data\":\"" + "y".repeat(LIMIT) + "\"}";
        HeraldException refused = assertThrows(HeraldException.class, () -> EventBodies.object(body(json), json.length(), LIMIT));
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, refused.code());
        assertEquals("the body is larger than 64 bytes", refused.getMessage());
    }

    @Test
    void anUndeclaredBodyOverTheLimitIsRefusedAfterOneByteTooMany() {
        String json = "{\"data\":\"" + "y".repeat(LIMIT) + "\"}";
        HeraldException refused = assertThrows(HeraldException.class, () -> EventBodies.object(body(json), -1, LIMIT));
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, refused.code());
    }

    @Test
    void aBodyExactlyAtTheLimitIsAccepted() throws IOException {
        String json = "{\"data\":\"" + "y".repeat(LIMIT - 11) + "\"}";
        assertEquals(LIMIT, json.length());
        assertEquals(LIMIT - 11, EventBodies.object(body(json), -1, LIMIT).getString("data").length());
        assertEquals(LIMIT - 11, EventBodies.object(body(json), LIMIT, LIMIT).getString("data").length());
    }

    @Test
    void aBodyThatEndsBeforeItsDeclaredLengthIsBadJson() {
        HeraldException refused = assertThrows(HeraldException.class, () -> EventBodies.object(body("{\"type\":"), 30, LIMIT));
        assertEquals(ErrorCode.BAD_JSON, refused.code());
    }

    @Test
    void malformedUtf8BecomesTheReplacementCharacterNotAnError() throws IOException {
        byte[] json = {'{', '"', 'd', '"', ':', '"', (byte) 0xC3, '"', '}'};
        assertEquals("\uFFFD", EventBodies.object(new ByteArrayInputStream(json), json.length, LIMIT).getString("d"));
    }

    @Test
    void aJsonValueThatIsNotAnObjectIsBadJson() {
        HeraldException refused = assertThrows(HeraldException.class, () -> EventBodies.object(body("[1,2]"), 5, LIMIT));
        assertEquals(ErrorCode.BAD_JSON, refused.code());
        assertEquals("the body must be a JSON object", refused.getMessage());
    }
}
