package dev.herald.testing;

import redis.clients.jedis.Jedis;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.net.ServerSocket;

/** A real redis-server (6.2, from embedded-redis) on a free port, that a test can stop and start again. */
public final class LocalRedis implements AutoCloseable {

    private final int port;
    private final RedisServer server;

    private LocalRedis(int port) throws IOException {
        this.port = port;
        // No snapshot on shutdown: it would leave a dump.rdb in the working directory, and a restart starts empty.
        this.server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                .setting("save \"\"").setting("appendonly no").build();
    }

    public static LocalRedis start() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        LocalRedis redis = new LocalRedis(port);
        redis.server.start();
        return redis;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public Jedis client() {
        return new Jedis("127.0.0.1", port);
    }

    public void stop() throws IOException {
        server.stop();
    }

    /** Starts the server again if a test stopped it; it comes back empty. */
    public void ensureRunning() throws IOException {
        if (!server.isActive()) {
            server.start();
        }
    }

    @Override
    public void close() throws IOException {
        if (server.isActive()) {
            server.stop();
        }
    }
}
