package dev.herald.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * An SSE stream over a plain socket: the request is sent and the response head read, and from then
 * on the test decides whether the body is ever read. A client that stops reading here stops for
 * real: nothing below the test buffers on its behalf beyond the socket's receive buffer.
 */
final class RawSseStream implements AutoCloseable {

    /** How the body ended, as {@link #readToEnd} found it. */
    enum End {
        /** The last chunk of the chunked body arrived: the server completed the response. */
        RESPONSE_COMPLETE,
        /** The server closed the connection. */
        CONNECTION_CLOSED,
        /** The connection was reset. */
        CONNECTION_RESET,
        /** Nothing more arrived within the read timeout: the response is still open. */
        STILL_OPEN,
        /** The chunk framing broke off: the server dropped part of what it had queued. */
        MALFORMED
    }

    /** What the body carried (chunk framing removed) and how it ended. */
    record Body(String text, End end) {
    }

    private final Socket socket;
    private final RawHttp.Head head;

    private RawSseStream(Socket socket, RawHttp.Head head) {
        this.socket = socket;
        this.head = head;
    }

    /**
     * {@code GET uri} with {@code Accept: text/event-stream} and the token as a bearer header; returns
     * once the response head is in.
     *
     * @param receiveBuffer the socket's receive buffer in bytes; 0 for the default
     */
    static RawSseStream open(URI uri, String token, int receiveBuffer) throws IOException {
        Socket socket = RawHttp.connect(uri, null, receiveBuffer);
        try {
            return new RawSseStream(socket, RawHttp.exchange(socket, "GET " + RawHttp.target(uri) + " HTTP/1.1\r\n"
                    + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                    + "Accept: text/event-stream\r\n"
                    + "Authorization: Bearer " + token + "\r\n\r\n"));
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    int status() {
        return head.status();
    }

    String header(String name) {
        return head.header(name);
    }

    /**
     * Reads the rest of the body until the response or the connection ends, or nothing arrives for
     * {@link RawHttp#TIMEOUT_MILLIS}: first what the kernel buffered while nobody read, then
     * whatever the server still had queued.
     */
    Body readToEnd() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        boolean chunked = "chunked".equalsIgnoreCase(header("transfer-encoding"));
        try {
            while (true) {
                if (!chunked) {
                    byte[] some = new byte[8192];
                    int n = in.read(some);
                    if (n < 0) {
                        return new Body(body.toString(StandardCharsets.UTF_8), End.CONNECTION_CLOSED);
                    }
                    body.write(some, 0, n);
                    continue;
                }
                String sizeLine = line(in);
                if (sizeLine == null) {
                    return new Body(body.toString(StandardCharsets.UTF_8), End.CONNECTION_CLOSED);
                }
                int size;
                try {
                    size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
                } catch (NumberFormatException e) {
                    return new Body(body.toString(StandardCharsets.UTF_8), End.MALFORMED);
                }
                if (size == 0) {
                    return new Body(body.toString(StandardCharsets.UTF_8), End.RESPONSE_COMPLETE);
                }
                byte[] chunk = in.readNBytes(size);
                body.write(chunk);
                if (chunk.length < size || line(in) == null) {
                    return new Body(body.toString(StandardCharsets.UTF_8), End.CONNECTION_CLOSED);
                }
            }
        } catch (SocketTimeoutException open) {
            return new Body(body.toString(StandardCharsets.UTF_8), End.STILL_OPEN);
        } catch (SocketException reset) {
            return new Body(body.toString(StandardCharsets.UTF_8), End.CONNECTION_RESET);
        }
    }

    /** One CRLF-terminated line without its end; null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                int end = line.length();
                return line.substring(0, end > 0 && line.charAt(end - 1) == '\r' ? end - 1 : end);
            }
            line.append((char) b);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
