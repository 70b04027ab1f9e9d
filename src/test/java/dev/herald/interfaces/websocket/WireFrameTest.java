package dev.herald.interfaces.websocket;

import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.Filter;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WireFrameTest {

    @Test
    void eachLengthGetsTheHeaderRfc6455Prescribes() {
        // 7-bit length up to 125, 16-bit after 126 up to 65535, 64-bit after 127 beyond; never masked.
        for (int length : new int[]{0, 1, 125, 126, 127, 65_535, 65_536, 100_000}) {
            String text = "a".repeat(length);
            byte[] bytes = WireFrame.encode(text).bytes();
            ByteBuffer in = ByteBuffer.wrap(bytes);
            assertEquals((byte) 0x81, in.get(), "FIN, text");
            int first = in.get();
            assertEquals(0, first & 0x80, "a server does not mask");
            long decoded = first & 0x7F;
            if (length < 126) {
                assertEquals(length, decoded);
            } else if (length <= 65_535) {
                assertEquals(126, decoded);
                assertEquals(length, in.getShort() & 0xFFFF);
            } else {
                assertEquals(127, decoded);
                assertEquals(length, in.getLong());
            }
            assertEquals(length, in.remaining(), "the payload follows the header");
        }
    }

    @Test
    void thePayloadIsTheTextInUtf8AndItsLengthIsCountedInBytes() {
        String text = "{\"data\":\"é→😀\"}";
        WireFrame frame = WireFrame.encode(text);
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        assertEquals(utf8.length, frame.payloadLength());
        byte[] payload = new byte[utf8.length];
        System.arraycopy(frame.bytes(), 2, payload, 0, payload.length);
        assertArrayEquals(utf8, payload);
        assertEquals(text, frame.text());
    }

    @Test
    void theSameStringIsEncodedOncePerThread() {
        String text = new String("{\"seq\":1}");
        WireFrame first = WireFrame.of(text);
        assertSame(first, WireFrame.of(text), "fan-out asks again for the same string: same bytes");
        assertNotSame(first, WireFrame.of(new String(text)), "an equal but different string is encoded anew");
    }

    @Test
    void onlyATlsFilterKeepsFramesOffTheGrizzlyConnection() {
        class FakeSSLFilter extends BaseFilter {
        }
        class Http2ServerFilter extends BaseFilter {
        }
        List<Filter> plain = List.of(new TransportFilter(), new Http2ServerFilter(), new BaseFilter());
        List<Filter> tls = List.of(new TransportFilter(), new FakeSSLFilter(), new BaseFilter());
        assertFalse(GrizzlyFrameWriter.transformsWrites(plain));
        assertTrue(GrizzlyFrameWriter.transformsWrites(tls));
    }
}
