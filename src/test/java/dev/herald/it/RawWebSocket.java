package dev.herald.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket handshake over a plain socket, for what a WebSocket client library hides: the HTTP
 * status and headers of a refused upgrade, a chosen local address, and a client that completes the
 * upgrade and then never reads another byte.
 */
public final class RawWebSocket implements AutoCloseable {

    private final Socket socket;
    private final int status;
    private final Map<String, String> headers;
    private final String body;

    private RawWebSocket(Socket socket, int status, Map<String, String> headers, String body) {
        this.socket = socket;
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    /** Sends the upgrade request for {@code uri} (ws://host:port/path?query) and reads the answer's head. */
    public static RawWebSocket handshake(URI uri) throws IOException {
        return handshake(uri, null, 0);
    }

    /**
     * @param localAddress  the client's address, e.g. 127.0.0.2; null for any
     * @param receiveBuffer the socket's receive buffer in bytes, set before connecting; 0 for the default
     */
    public static RawWebSocket handshake(URI uri, String localAddress, int receiveBuffer) throws IOException {
        return handshake(uri, localAddress, receiveBuffer, Map.of());
    }

    /** The upgrade request with these extra headers (an {@code Authorization} header, say). */
    public static RawWebSocket handshake(URI uri, Map<String, String> headers) throws IOException {
        return handshake(uri, null, 0, headers);
    }

    private static RawWebSocket handshake(URI uri, String localAddress, int receiveBuffer, Map<String, String> headers)
            throws IOException {
        Socket socket = RawHttp.connect(uri, localAddress, receiveBuffer);
        try {
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            StringBuilder extra = new StringBuilder();
            headers.forEach((name, value) -> extra.append(name).append(": ").append(value).append("\r\n"));
            RawHttp.Head head = RawHttp.exchange(socket, "GET " + RawHttp.target(uri) + " HTTP/1.1\r\n"
                    + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n" + extra + "\r\n");
            String body = "";
            if (head.status() != 101 && head.headers().containsKey("content-length")) {
                body = new String(socket.getInputStream().readNBytes(Integer.parseInt(head.header("content-length"))),
                        StandardCharsets.UTF_8);
            }
            return new RawWebSocket(socket, head.status(), head.headers(), body);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Reads server frames (unmasked) until a close frame and returns its code; 1006 when the socket
     * ends without one, 0 when nothing more arrives within the read timeout (still open). Whatever
     * was queued before the close is read and dropped on the way.
     */
    public int readUntilClose() throws IOException {
        InputStream in = socket.getInputStream();
        try {
            while (true) {
                int first = in.read();
                int second = in.read();
                if (first < 0 || second < 0) {
                    return 1006;
                }
                long length = second & 0x7f;
                if (length == 126) {
                    length = ((long) in.read() << 8) | in.read();
                } else if (length == 127) {
                    length = 0;
                    for (int i = 0; i < 8; i++) {
                        length = (length << 8) | in.read();
                    }
                }
                byte[] payload = in.readNBytes((int) length);
                if ((first & 0x0f) == 8) {
                    return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
                }
            }
        } catch (java.net.SocketTimeoutException open) {
            return 0;
        } catch (java.net.SocketException reset) {
            return 1006;
        }
    }

    public int status() {
        return status;
    }

    /** A response header, by its name in any case; null when absent. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public String body() {
        return body;
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
