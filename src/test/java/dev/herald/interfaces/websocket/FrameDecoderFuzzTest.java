package dev.herald.interfaces.websocket;

import dev.herald.application.ErrorCode;
import dev.herald.application.HeraldException;
import dev.herald.application.session.ClientFrame;
import dev.herald.testing.Fuzz;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static dev.herald.testing.Fuzz.forAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random and mutated client frames: the decoder answers with a frame or with one of the decoding
 * errors protocol.md §6 documents, never with another exception, and keeps no state between frames.
 */
class FrameDecoderFuzzTest {

    /** The decoding errors of protocol.md §6: everything else about a frame is the gateway's to judge. */
    private static final Set<ErrorCode> DECODING_ERRORS = Set.of(ErrorCode.BAD_JSON, ErrorCode.BAD_FRAME,
            ErrorCode.UNKNOWN_TYPE, ErrorCode.MISSING_FIELD, ErrorCode.INVALID_FIELD, ErrorCode.INVALID_CHANNEL);

    private static final String[] VALID = {
            "{\"type\":\"auth\",\"token\":\"abc.def.ghi\"}",
            "{\"type\":\"subscribe\",\"channel\":\"diagnosis:42\",\"since\":7,\"ref\":\"s1\"}",
            "{\"type\":\"unsubscribe\",\"channel\":\"projects:7\",\"ref\":\"u1\"}",
            "{\"type\":\"ack\",\"channel\":\"diagnosis:42\",\"seq\":12}",
            "{\"type\":\"ping\"}",
            "{\"type\":\"pong\"}",
            "{\"type\":\"publish\",\"channel\":\"diagnosis:42\",\"event\":\"timeline_update\",\"data\":{\"step\":[1,2,{\"a\":null}]},\"correlationId\":\"c-1\",\"ref\":\"p\"}",
            "{\"type\":\"command\",\"channel\":\"diagnosis:42\",\"name\":\"cancel\",\"data\":{\"iteration\":3}}",
            "{\"type\":\"presence\",\"channel\":\"diagnosis:42\"}",
    };

    private static void decodesOrRejectsWithADocumentedCode(String text) {
        ClientFrame first;
        try {
            first = FrameDecoder.decode(text);
        } catch (HeraldException rejected) {
            assertTrue(DECODING_ERRORS.contains(rejected.code()), "undocumented rejection " + rejected.code());
            assertNotNull(rejected.getMessage());
            return;
        }
        assertNotNull(first);
        assertEquals(first, FrameDecoder.decode(text), "decoding is a function of the text alone");
    }

    @Test
    void randomTextIsDecodedOrRejectedWithADocumentedCode() {
        forAll(3000, r -> Fuzz.anyString(r, 200), FrameDecoderFuzzTest::decodesOrRejectsWithADocumentedCode);
    }

    @Test
    void textMadeOfJsonTokensIsDecodedOrRejectedWithADocumentedCode() {
        forAll(5000, r -> Fuzz.jsonish(r, 40), FrameDecoderFuzzTest::decodesOrRejectsWithADocumentedCode);
    }

    @Test
    void mutatedValidFramesAreDecodedOrRejectedWithADocumentedCode() {
        forAll(5000, r -> Fuzz.mutate(r, Fuzz.oneOf(r, VALID)), FrameDecoderFuzzTest::decodesOrRejectsWithADocumentedCode);
    }

    @Test
    void deeplyNestedDataIsDecodedOrRejectedWithADocumentedCode() {
        // Nesting is bounded by the frame size limit (64 KiB): a parser must not overflow its stack before.
        forAll(20, r -> {
            int depth = 1 + r.nextInt(32_000);
            return "{\"type\":\"publish\",\"channel\":\"a:b\",\"event\":\"e\",\"data\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
        }, text -> {
            try {
                decodesOrRejectsWithADocumentedCode(text);
            } catch (StackOverflowError e) {
                throw new AssertionError("a nested frame of " + text.length() + " characters overflowed the stack", e);
            }
        });
    }

    @Test
    void everyDecodingErrorCodeIsDocumentedInTheProtocol() throws Exception {
        String protocol = Files.readString(Path.of("docs/protocol.md"));
        for (ErrorCode code : DECODING_ERRORS) {
            assertTrue(protocol.contains("`" + code.code() + "`"), code.code());
        }
    }
}
