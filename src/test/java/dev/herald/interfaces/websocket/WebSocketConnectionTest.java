package dev.herald.interfaces.websocket;

import dev.herald.application.session.CloseCode;
import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WebSocketConnectionTest {

    /** A socket whose writes the test completes: at once on the sending thread, later, or never. */
    private static final class FakeSocket {
        final List<String> written = new ArrayList<>();
        final List<SendHandler> pending = new ArrayList<>();
        final List<ByteBuffer> pings = new ArrayList<>();
        final Map<String, Object> properties = new ConcurrentHashMap<>();
        boolean completeImmediately;
        int inFlight;
        int maxInFlight;
        CloseReason closed;

        synchronized void write(String text, SendHandler handler) {
            written.add(text);
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            if (completeImmediately) {
                inFlight--;
                handler.onResult(new SendResult());
            } else {
                pending.add(handler);
            }
        }

        /** Completes the oldest pending write, outside the lock like a selector thread would. */
        void completeOne() {
            SendHandler handler;
            synchronized (this) {
                handler = pending.remove(0);
                inFlight--;
            }
            handler.onResult(new SendResult());
        }

        synchronized List<String> written() {
            return List.copyOf(written);
        }

        Session session() {
            RemoteEndpoint.Async remote = (RemoteEndpoint.Async) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[]{RemoteEndpoint.Async.class}, (proxy, method, args) -> {
                        if (method.getName().equals("sendText") && args.length == 2) {
                            write((String) args[0], (SendHandler) args[1]);
                            return null;
                        }
                        if (method.getName().equals("sendPing")) {
                            synchronized (this) {
                                pings.add(((ByteBuffer) args[0]).duplicate());
                            }
                            return null;
                        }
                        throw new UnsupportedOperationException(method.getName());
                    });
            return (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Session.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "getAsyncRemote" -> remote;
                        case "isOpen" -> {
                            synchronized (this) {
                                yield closed == null;
                            }
                        }
                        case "getId" -> "s1";
                        case "getUserProperties" -> properties;
                        case "getNegotiatedExtensions" -> List.of();
                        case "isSecure" -> false;
                        case "close" -> {
                            synchronized (this) {
                                closed = (CloseReason) args[0];
                            }
                            yield null;
                        }
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }
    }

    @Test
    void framesCompletingOnTheSendingThreadGoOutInOrderWithoutRecursion() {
        FakeSocket socket = new FakeSocket();
        socket.completeImmediately = true;
        WebSocketConnection connection = new WebSocketConnection(socket.session(), 1 << 20);

        List<String> frames = IntStream.range(0, 20_000).mapToObj(i -> "frame-" + i).toList();
        frames.forEach(connection::send);

        assertEquals(frames, socket.written());
        assertEquals(1, socket.maxInFlight);
    }

    @Test
    void onlyOneWriteIsInFlightAndTheRestWaitInOrder() {
        FakeSocket socket = new FakeSocket();
        WebSocketConnection connection = new WebSocketConnection(socket.session(), 1 << 20);

        for (int i = 0; i < 5; i++) {
            connection.send("f" + i);
        }
        assertEquals(List.of("f0"), socket.written());
        for (int i = 0; i < 4; i++) {
            socket.completeOne();
        }
        assertEquals(List.of("f0", "f1", "f2", "f3", "f4"), socket.written());
        assertEquals(1, socket.maxInFlight);
    }

    @Test
    void concurrentSendersAndCompletionsLoseNothing() throws Exception {
        FakeSocket socket = new FakeSocket();
        WebSocketConnection connection = new WebSocketConnection(socket.session(), 1 << 24);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            int thread = t;
            pool.execute(() -> IntStream.range(0, 2_000).forEach(i -> connection.send(thread + ":" + i)));
        }
        pool.shutdown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (socket.written().size() < 8_000 && System.nanoTime() < deadline) {
            boolean any;
            synchronized (socket) {
                any = !socket.pending.isEmpty();
            }
            if (any) {
                socket.completeOne();
            }
        }
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        List<String> written = socket.written();
        assertEquals(8_000, written.size());
        assertEquals(8_000, written.stream().distinct().count());
        for (int t = 0; t < 4; t++) {
            String prefix = t + ":";
            List<Integer> order = written.stream().filter(f -> f.startsWith(prefix))
                    .map(f -> Integer.parseInt(f.substring(prefix.length()))).toList();
            assertEquals(IntStream.range(0, 2_000).boxed().toList(), order, "per-sender order kept");
        }
        assertEquals(1, socket.maxInFlight);
    }

    @Test
    void aConsumerThatStopsReadingIsClosedAsSlowOnceItsQueueIsFull() {
        FakeSocket socket = new FakeSocket();
        WebSocketConnection connection = new WebSocketConnection(socket.session(), 10_000);

        for (int i = 0; i < 200; i++) {
            connection.send("x".repeat(100));
        }

        assertEquals(CloseCode.SLOW_CONSUMER.code(), socket.closed.getCloseCode().getCode());
        assertFalse(connection.isOpen());
        int writtenAtClose = socket.written().size();
        connection.send("after");
        assertEquals(writtenAtClose, socket.written().size(), "nothing is sent after the close");
    }

    @Test
    void awaitWritableReturnsOnceTheQueueDrainsBelowHalf() throws Exception {
        FakeSocket socket = new FakeSocket();
        WebSocketConnection connection = new WebSocketConnection(socket.session(), 1_000);
        for (int i = 0; i < 8; i++) {
            connection.send("y".repeat(100));
        }
        assertFalse(connection.awaitWritable(Duration.ofMillis(50)), "800 of 1000 queued: not writable");

        Thread drainer = new Thread(() -> {
            for (int i = 0; i < 4; i++) {
                socket.completeOne();
            }
        });
        drainer.start();
        assertTrue(connection.awaitWritable(Duration.ofSeconds(10)));
        drainer.join(10_000);
    }

    @Test
    void closeReasonsAreCutToTheProtocolLimitWithoutBreakingCharacters() throws IOException {
        String reason = "é".repeat(100);
        String cut = WebSocketConnection.truncate(reason);
        assertTrue(cut.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 123);
        assertTrue(cut.chars().allMatch(c -> c == 'é'));
        assertEquals("short", WebSocketConnection.truncate("short"));
    }

    @Test
    void aClientThatNeverAnswersPingsIsClosedAsSlowThoughEverySendCompletesAtOnce() {
        // Tyrus on Grizzly completes a send once the frame is queued in the container, read or not.
        FakeSocket socket = new FakeSocket();
        socket.completeImmediately = true;
        WebSocketConnection connection = new WebSocketConnection(socket.session(), 1_000, 1_000);
        String frame = "x".repeat(100);

        for (int i = 0; i < 20 && socket.closed == null; i++) {
            connection.send(frame);
        }

        assertEquals(CloseCode.SLOW_CONSUMER.code(), socket.closed.getCloseCode().getCode());
        assertEquals(11, socket.written().size(), "closed at the first send past 1,000 unconfirmed bytes");
        assertFalse(socket.pings.isEmpty(), "it asked the client to confirm what it read");
    }

    @Test
    void aClientWhosePongsConfirmWhatItReadStaysOpen() {
        FakeSocket socket = new FakeSocket();
        socket.completeImmediately = true;
        Session session = socket.session();
        WebSocketConnection connection = new WebSocketConnection(session, 1_000, 1_000);
        String frame = "x".repeat(100);

        for (int i = 0; i < 100; i++) {
            connection.send(frame);
            List<ByteBuffer> pings;
            synchronized (socket) {
                pings = List.copyOf(socket.pings);
            }
            pings.forEach(ping -> WebSocketConnection.pong(session, ping.duplicate())); // the client echoes each ping
        }

        assertEquals(null, socket.closed);
        assertEquals(100, socket.written().size());
        assertTrue(connection.unconfirmed() <= 250, "unconfirmed " + connection.unconfirmed());
    }

    /** A container's raw writer: records each write's bytes; completes at once, or when the test says. */
    private static final class FakeWriter implements FrameWriter {
        final List<byte[]> writes = new ArrayList<>();
        boolean completeImmediately;
        int pending;
        FrameWriter.Done done;

        FrameWriter.Factory factory() {
            return (session, connectionDone) -> {
                this.done = connectionDone;
                return this;
            };
        }

        @Override
        public void write(ByteBuffer frames) {
            byte[] copy = new byte[frames.remaining()];
            frames.duplicate().get(copy);
            synchronized (this) {
                writes.add(copy);
                if (!completeImmediately) {
                    pending++;
                    return;
                }
            }
            done.written();
        }

        void completeOne() {
            synchronized (this) {
                pending--;
            }
            done.written();
        }

        /** Every text frame written so far, decoded (RFC 6455 5.2, unmasked). */
        synchronized List<String> texts() {
            List<String> texts = new ArrayList<>();
            for (byte[] write : writes) {
                ByteBuffer in = ByteBuffer.wrap(write);
                while (in.hasRemaining()) {
                    assertEquals((byte) 0x81, in.get(), "FIN and text opcode");
                    int length = in.get() & 0x7F;
                    if (length == 126) {
                        length = in.getShort() & 0xFFFF;
                    } else if (length == 127) {
                        length = (int) in.getLong();
                    }
                    byte[] payload = new byte[length];
                    in.get(payload);
                    texts.add(new String(payload, java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            return texts;
        }
    }

    @Test
    void withARawWriterEachFrameGoesOutPreFramedAndInOrder() {
        FakeSocket socket = new FakeSocket();
        FakeWriter writer = new FakeWriter();
        writer.completeImmediately = true;
        WebSocketConnection connection = new WebSocketConnection(socket.session(), 1 << 20, Long.MAX_VALUE, writer.factory());

        List<String> frames = IntStream.range(0, 5_000).mapToObj(i -> "{\"seq\":" + i + ",\"text\":\"é" + "x".repeat(i % 300) + "\"}").toList();
        frames.forEach(connection::send);

        assertTrue(connection.writesRawFrames());
        assertEquals(frames, writer.texts());
        assertEquals(List.of(), socket.written(), "nothing went through sendText");
    }

    @Test
    void aClientThatIsBehindGetsItsWaitingFramesInOneWrite() {
        FakeSocket socket = new FakeSocket();
        FakeWriter writer = new FakeWriter();
        WebSocketConnection connection = new WebSocketConnection(socket.session(), 1 << 20, Long.MAX_VALUE, writer.factory());

        for (int i = 0; i < 5; i++) {
            connection.send("f" + i);
        }
        assertEquals(1, writer.writes.size(), "one write in flight");
        writer.completeOne();

        assertEquals(2, writer.writes.size(), "the four that waited went out together");
        assertEquals(List.of("f0", "f1", "f2", "f3", "f4"), writer.texts());
        writer.completeOne();
        assertTrue(connection.queued().startsWith("0 frames, 0 bytes"), "every frame of the joined write released: " + connection.queued());
    }

    @Test
    void onTheRawPathAConsumerThatStopsReadingIsClosedAsSlow() {
        FakeSocket socket = new FakeSocket();
        FakeWriter writer = new FakeWriter(); // never completes: the client stopped reading
        WebSocketConnection connection = new WebSocketConnection(socket.session(), 10_000, Long.MAX_VALUE, writer.factory());

        for (int i = 0; i < 200; i++) {
            connection.send("x".repeat(100));
        }

        assertEquals(CloseCode.SLOW_CONSUMER.code(), socket.closed.getCloseCode().getCode());
        assertEquals(1, writer.writes.size(), "one write in flight, the rest queued until the close");
    }

    @Test
    void onTheRawPathAClientThatNeverAnswersPingsIsClosedAsSlow() {
        FakeSocket socket = new FakeSocket();
        FakeWriter writer = new FakeWriter();
        writer.completeImmediately = true;
        WebSocketConnection connection = new WebSocketConnection(socket.session(), 1_000, 1_000, writer.factory());
        String frame = "x".repeat(100);

        for (int i = 0; i < 20 && socket.closed == null; i++) {
            connection.send(frame);
        }

        assertEquals(CloseCode.SLOW_CONSUMER.code(), socket.closed.getCloseCode().getCode());
        assertEquals(11, writer.texts().size(), "closed at the first send past 1,000 unconfirmed bytes");
        assertFalse(socket.pings.isEmpty(), "it asked the client to confirm what it read");
    }

    @Test
    void aFailedRawWriteClosesTheConnection() {
        FakeSocket socket = new FakeSocket();
        FakeWriter writer = new FakeWriter();
        WebSocketConnection connection = new WebSocketConnection(socket.session(), 1 << 20, Long.MAX_VALUE, writer.factory());

        connection.send("a");
        connection.send("b");
        writer.done.failed(new IOException("connection reset"));

        assertFalse(connection.isOpen());
        assertEquals(1011, socket.closed.getCloseCode().getCode());
        connection.send("c");
        assertEquals(List.of("a"), writer.texts(), "nothing is written after the failure");
    }

    @Test
    void aSessionThatIsNotTyrusFallsBackToSendText() {
        FakeSocket socket = new FakeSocket();
        socket.completeImmediately = true;
        WebSocketConnection connection = new WebSocketConnection(socket.session(), 1 << 20);

        connection.send("plain");

        assertFalse(connection.writesRawFrames());
        assertEquals(List.of("plain"), socket.written());
    }
}
