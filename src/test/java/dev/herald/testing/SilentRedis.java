package dev.herald.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Redis that accepts connections and never answers, as when the Redis host hangs: a client
 * waits for each reply until its own timeout. It keeps every connection opened to it and what each
 * one sent (a Jedis connection names itself first, {@code CLIENT SETNAME}), so a test can show
 * which calls tried Redis and which did not, by counting rather than by timing.
 */
public final class SilentRedis implements AutoCloseable {

    private static final Pattern SETNAME = Pattern.compile("SETNAME\r\n\\$\\d+\r\n([^\r]*)\r\n", Pattern.CASE_INSENSITIVE);

    /** One accepted connection: what the client wrote, and whether the client has closed it. */
    public static final class Connection {
        private final Socket socket;
        private final StringBuffer received = new StringBuffer();
        private volatile boolean closedByClient;

        private Connection(Socket socket) {
            this.socket = socket;
        }

        public String received() {
            return received.toString();
        }

        public boolean closedByClient() {
            return closedByClient;
        }

        /** The name the client gave itself ({@code CLIENT SETNAME}), waiting for it up to {@code deadline}. */
        public String awaitClientName(Duration deadline) throws InterruptedException {
            long end = System.nanoTime() + deadline.toNanos();
            while (true) {
                Matcher m = SETNAME.matcher(received());
                if (m.find()) {
                    return m.group(1);
                }
                if (closedByClient || System.nanoTime() - end > 0) {
                    throw new AssertionError("the connection sent no CLIENT SETNAME: " + received());
                }
                Thread.sleep(10);
            }
        }

        private void read() {
            byte[] buffer = new byte[4096];
            try (InputStream in = socket.getInputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                }
                closedByClient = true;
            } catch (IOException e) {
                // a reset from the client counts as closed too, unless this server closed the socket
                closedByClient = !socket.isClosed();
            }
        }
    }

    private final ServerSocket server;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();

    public SilentRedis() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "silent-redis-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Connection c = new Connection(server.accept());
                connections.add(c);
                Thread reader = new Thread(c::read, "silent-redis-reader");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    public String url() {
        return "redis://127.0.0.1:" + server.getLocalPort();
    }

    /**
     * Every connection that a call which has returned opened, in order. Connections are accepted
     * in the order they were made, so once a marker connection made now is accepted, so is every
     * earlier one; the marker itself is left out.
     */
    public List<Connection> connectionsSoFar() throws IOException, InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (Socket marker = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
            int markerPort = marker.getLocalPort();
            while (true) {
                List<Connection> before = new ArrayList<>();
                for (Connection c : connections) {
                    if (c.socket.getPort() == markerPort) {
                        connections.remove(c);
                        return before;
                    }
                    before.add(c);
                }
                if (System.nanoTime() - end > 0) {
                    throw new AssertionError("the marker connection was never accepted");
                }
                Thread.sleep(10);
            }
        }
    }

    /** The connections so far whose client named itself {@code clientName}. */
    public List<Connection> connectionsNamed(String clientName) throws IOException, InterruptedException {
        List<Connection> named = new ArrayList<>();
        for (Connection c : connectionsSoFar()) {
            if (c.awaitClientName(Duration.ofSeconds(30)).equals(clientName)) {
                named.add(c);
            }
        }
        return named;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Connection c : connections) {
            c.socket.close();
        }
    }
}
