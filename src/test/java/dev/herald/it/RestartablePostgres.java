package dev.herald.it;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;

/**
 * A real PostgreSQL on a fixed port with a data directory of its own, so that a test can stop it
 * under a running Herald and start it again where Herald expects it.
 */
final class RestartablePostgres implements AutoCloseable {

    private final EmbeddedPostgres.Builder builder;
    private final int port;
    private EmbeddedPostgres running;

    private RestartablePostgres(EmbeddedPostgres.Builder builder, int port) throws IOException {
        this.builder = builder;
        this.port = port;
        this.running = builder.start();
    }

    static RestartablePostgres start(Path dataDirectory) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        return new RestartablePostgres(
                EmbeddedPostgres.builder().setPort(port).setDataDirectory(dataDirectory).setCleanDataDirectory(false), port);
    }

    /** The {@code herald.db.url} for it; the user is {@code postgres}. */
    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    void stop() throws IOException {
        if (running != null) {
            running.close();
            running = null;
        }
    }

    void restart() throws IOException {
        stop();
        running = builder.start();
    }

    @Override
    public void close() throws IOException {
        stop();
    }
}
