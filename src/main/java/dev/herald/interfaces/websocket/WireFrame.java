package dev.herald.interfaces.websocket;

import java.nio.charset.StandardCharsets;

/**
 * A text message as it goes on the wire: the whole WebSocket frame (RFC 6455 section 5.2: FIN,
 * opcode 1, the payload length, no mask, since a server never masks) in one byte array, and the text
 * it carries, for the container's own send path when the raw one is not available.
 *
 * <p>Fan-out queues the same string on every subscriber from one thread, so {@link #of} encodes it
 * once per event, not once per subscriber, and every subscriber's connection writes the same bytes.
 * The bytes are never changed after construction.
 */
final class WireFrame {

    /** FIN set, opcode 1 (text). */
    private static final byte FIN_TEXT = (byte) 0x81;

    /** The last frame encoded on this thread: fan-out asks for the same string many times in a row. */
    private static final ThreadLocal<WireFrame> LAST = new ThreadLocal<>();

    private final String text;
    private final byte[] bytes;
    private final int payloadLength;

    private WireFrame(String text, byte[] bytes, int payloadLength) {
        this.text = text;
        this.bytes = bytes;
        this.payloadLength = payloadLength;
    }

    /** The frame for {@code text}; the same instance as the last call on this thread for the same string. */
    static WireFrame of(String text) {
        WireFrame last = LAST.get();
        if (last != null && last.text == text) {
            return last;
        }
        WireFrame frame = encode(text);
        LAST.set(frame);
        return frame;
    }

    static WireFrame encode(String text) {
        // A lone surrogate becomes '?', as String.getBytes does; Herald's frames are built from parsed JSON.
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        int length = payload.length;
        int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
        byte[] bytes = new byte[header + length];
        bytes[0] = FIN_TEXT;
        if (header == 2) {
            bytes[1] = (byte) length;
        } else if (header == 4) {
            bytes[1] = 126;
            bytes[2] = (byte) (length >>> 8);
            bytes[3] = (byte) length;
        } else {
            bytes[1] = 127;
            for (int i = 0; i < 8; i++) {
                bytes[2 + i] = (byte) ((long) length >>> (56 - 8 * i));
            }
        }
        System.arraycopy(payload, 0, bytes, header, length);
        return new WireFrame(text, bytes, length);
    }

    String text() {
        return text;
    }

    /** The whole frame, header and payload. Shared: never write into it. */
    byte[] bytes() {
        return bytes;
    }

    /** The UTF-8 length of the text: what the connection's byte budget and ping probes count. */
    int payloadLength() {
        return payloadLength;
    }
}
