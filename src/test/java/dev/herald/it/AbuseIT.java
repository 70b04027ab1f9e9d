package dev.herald.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static dev.herald.it.WsClient.eventOn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input on the wire against a real Payara Micro: malformed UTF-8, a 10 MB frame, a flood of
 * subscribes and thousands of half-open connections. Meanwhile a normal client keeps receiving
 * every event in order. Memory figures are printed, not asserted.
 */
class AbuseIT {

    private static final int HALF_OPEN = 2000;
    private static final Random RANDOM = new Random();

    @TempDir
    Path workDir;

    @Test
    void abuseOnTheWireLeavesOtherClientsWithEveryEventInOrder() throws Exception {
        try (PayaraProcess server = PayaraProcess.start(workDir, Map.of("herald.jwt.secret", Jwts.SECRET))) {
            Api api = new Api(server.url());
            String watcher = Jwts.user("watcher").channels("abuse:*").sign();
            String publisher = Jwts.user("producer").publish("abuse:*").sign();
            String attacker = Jwts.user("mallory").channels("abuse:*").sign();
            long published = 0;
            try (WsClient normal = WsClient.connect(api.ws("/ws/abuse/1?token=" + watcher))) {
                normal.awaitType("subscribed");
                memory("idle", server);

                // malformed UTF-8 in a text frame: the sender's connection ends (1007), no one else's
                try (RawWebSocket raw = RawWebSocket.open(server, "/ws/abuse/2?token=" + attacker)) {
                    raw.sendText(new byte[]{'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
                    int code = raw.awaitEnd();
                    System.out.println("abuse: malformed UTF-8 ended its connection with " + code);
                    assertTrue(code == 1007 || code == RawWebSocket.DROPPED, "invalid UTF-8 ends the connection: " + code);
                }
                published = publish(api, publisher, published, 20);

                // a 10 MB frame: the connection ends before the frame is read into memory. Tyrus closes
                // with 1011, not 1009, for a frame this size (larger than its servlet incoming buffer, it seems).
                try (RawWebSocket raw = RawWebSocket.open(server, "/ws/abuse/2?token=" + attacker)) {
                    raw.sendLargeText(10 * 1024 * 1024);
                    int code = raw.awaitEnd();
                    System.out.println("abuse: a 10 MB frame ended its connection with " + code);
                    assertTrue(code == 1009 || code == 1011 || code == RawWebSocket.DROPPED, "a 10 MB frame ends the connection: " + code);
                }
                memory("after the 10 MB frame", server);
                published = publish(api, publisher, published, 20);

                // a flood of subscribes on one connection: each is answered or the flooder is cut off
                try (WsClient flooder = WsClient.connect(api.ws("/ws?token=" + attacker))) {
                    flooder.awaitType("welcome");
                    for (int i = 0; i < 2000 && !flooder.isClosed(); i++) {
                        flooder.send("{\"type\":\"subscribe\",\"channel\":\"abuse:flood-" + i + "\",\"ref\":\"" + i + "\"}");
                    }
                    published = publish(api, publisher, published, 20);
                }
                memory("after the subscribe flood", server);

                // thousands of half-open connections: a request line and a header, never the end of the handshake
                List<Socket> halfOpen = new ArrayList<>();
                try {
                    for (int i = 0; i < HALF_OPEN; i++) {
                        Socket socket = new Socket();
                        socket.connect(new InetSocketAddress("127.0.0.1", server.url().getPort()), 10_000);
                        socket.getOutputStream().write(("GET /ws/abuse/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        halfOpen.add(socket);
                    }
                    memory("with " + HALF_OPEN + " half-open connections", server);
                    published = publish(api, publisher, published, 20);
                } finally {
                    for (Socket socket : halfOpen) {
                        socket.close();
                    }
                }
                published = publish(api, publisher, published, 20);

                // then: the normal client has every event, once, in order
                List<Long> expected = LongStream.rangeClosed(1, published).boxed().toList();
                assertEquals(expected, normal.awaitAll(eventOn("abuse:1"), (int) published).stream().map(WsClient::seq).toList());
                assertTrue(!normal.isClosed(), "the normal client was never disconnected");
                memory("at the end", server);
            }
        }
    }

    private static long publish(Api api, String token, long published, int count) {
        for (int i = 0; i < count; i++) {
            assertEquals(++published, api.publishOk(token, "abuse:1", "step", "{\"n\":" + published + "}"));
        }
        return published;
    }

    /** Prints the server's resident memory and heap use, for the record: no assertion, the machine is shared and noisy. */
    private static void memory(String when, PayaraProcess server) {
        String rss = "?";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + server.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = line.substring(6).trim();
                }
            }
        } catch (IOException e) {
            rss = "unreadable: " + e.getMessage();
        }
        String heap = "?";
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(server.pid()), "GC.heap_info").redirectErrorStream(true).start();
            String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (jcmd.waitFor(30, TimeUnit.SECONDS)) {
                heap = out.lines().filter(l -> l.contains("used")).findFirst().orElse(out).trim();
            }
        } catch (IOException | InterruptedException e) {
            heap = "unreadable: " + e.getMessage();
        }
        System.out.printf("abuse memory %s: RSS %s; heap %s%n", when, rss, heap);
    }

    /** A WebSocket client on a plain socket, for frames no well-behaved client library would send. */
    private static final class RawWebSocket implements AutoCloseable {

        static final int DROPPED = -1;

        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        private RawWebSocket(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        static RawWebSocket open(PayaraProcess server, String path) throws IOException {
            Socket socket = new Socket("127.0.0.1", server.url().getPort());
            socket.setSoTimeout(30_000);
            RawWebSocket ws = new RawWebSocket(socket);
            ws.out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            ws.out.flush();
            String response = ws.readHeaders();
            assertTrue(response.startsWith("HTTP/1.1 101"), response);
            return ws;
        }

        private String readHeaders() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection ended in the handshake: " + head);
                }
                head.write(b);
            }
            return head.toString(StandardCharsets.US_ASCII);
        }

        void sendText(byte[] payload) throws IOException {
            writeHeader(payload.length);
            byte[] mask = new byte[4];
            RANDOM.nextBytes(mask);
            out.write(mask);
            byte[] masked = payload.clone();
            for (int i = 0; i < masked.length; i++) {
                masked[i] ^= mask[i % 4];
            }
            out.write(masked);
            out.flush();
        }

        /** Announces a text frame of {@code length} bytes and streams it, stopping quietly when the server has hung up. */
        void sendLargeText(int length) {
            try {
                writeHeader(length);
                out.write(new byte[]{0, 0, 0, 0}); // a zero mask: the payload goes as it is
                byte[] chunk = new byte[64 * 1024];
                java.util.Arrays.fill(chunk, (byte) 'a');
                for (int sent = 0; sent < length; sent += chunk.length) {
                    out.write(chunk, 0, Math.min(chunk.length, length - sent));
                }
                out.flush();
            } catch (IOException serverHungUp) {
                // expected: the server closes as soon as the frame is known to be too big
            }
        }

        private void writeHeader(long length) throws IOException {
            out.write(0x81); // FIN, text
            if (length < 126) {
                out.write(0x80 | (int) length);
            } else if (length < 65536) {
                out.write(0x80 | 126);
                out.write((int) (length >> 8));
                out.write((int) length);
            } else {
                out.write(0x80 | 127);
                for (int shift = 56; shift >= 0; shift -= 8) {
                    out.write((int) (length >> shift));
                }
            }
        }

        /** Reads frames until the server's close frame (its code) or the end of the connection ({@link #DROPPED}). */
        int awaitEnd() throws IOException {
            try {
                while (true) {
                    int first = in.read();
                    if (first < 0) {
                        return DROPPED;
                    }
                    int second = in.read();
                    if (second < 0) {
                        return DROPPED;
                    }
                    long length = second & 0x7F;
                    if (length == 126) {
                        length = (in.read() << 8) | in.read();
                    } else if (length == 127) {
                        length = 0;
                        for (int i = 0; i < 8; i++) {
                            length = (length << 8) | in.read();
                        }
                    }
                    byte[] payload = in.readNBytes((int) length);
                    if ((first & 0x0F) == 0x8) {
                        return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                    }
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server neither closed nor dropped the connection within 30 s", e);
            } catch (IOException reset) {
                return DROPPED;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
