package dev.herald.it;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Herald as it runs in production, on one machine: a real PostgreSQL, a real redis-server and
 * several Herald instances on Payara Micro sharing both, each on its own port. Instances can be
 * killed and started again; Redis can be stopped and started on the same port.
 */
public final class HeraldCluster implements AutoCloseable {

    private final Path workDir;
    private final EmbeddedPostgres postgres;
    private final int redisPort;
    private RedisServer redis;
    private final List<PayaraProcess> instances = new ArrayList<>();
    private final Map<String, String> settings;
    private final int basePort;

    private HeraldCluster(Path workDir, EmbeddedPostgres postgres, int redisPort, RedisServer redis,
                          Map<String, String> settings, int basePort) {
        this.workDir = workDir;
        this.postgres = postgres;
        this.redisPort = redisPort;
        this.redis = redis;
        this.settings = settings;
        this.basePort = basePort;
    }

    /** Starts PostgreSQL, Redis and {@code size} Herald instances on free ports. */
    public static HeraldCluster start(Path workDir, int size, Map<String, String> extraSettings) throws Exception {
        return start(workDir, size, extraSettings, 0);
    }

    /**
     * Starts PostgreSQL, Redis and {@code size} Herald instances, instance i on {@code basePort + i}
     * (free ports when {@code basePort} is 0).
     */
    public static HeraldCluster start(Path workDir, int size, Map<String, String> extraSettings, int basePort) throws Exception {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(workDir.resolve("pg")).start();
        int redisPort = freePort();
        RedisServer redis = newRedis(redisPort);
        redis.start();
        Map<String, String> settings = new HashMap<>(Map.of(
                "herald.jwt.secret", Jwts.SECRET,
                "herald.db.url", postgres.getJdbcUrl("postgres", "postgres"),
                "herald.db.user", "postgres",
                "herald.redis.url", "redis://127.0.0.1:" + redisPort,
                "herald.broker.head-check-interval", "1s",
                "herald.broker.poll-interval", "250ms"));
        settings.putAll(extraSettings);
        HeraldCluster cluster = new HeraldCluster(workDir, postgres, redisPort, redis, settings, basePort);
        try {
            for (int i = 0; i < size; i++) {
                cluster.instances.add(cluster.startInstance(i));
            }
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private PayaraProcess startInstance(int index) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(workDir.resolve("instance-" + index + "-" + System.nanoTime()));
        return basePort == 0 ? PayaraProcess.start(dir, settings) : PayaraProcess.start(dir, settings, basePort + index);
    }

    public PayaraProcess instance(int index) {
        return instances.get(index);
    }

    public Api api(int index) {
        return new Api(instances.get(index).url());
    }

    /** Kills an instance with SIGKILL and starts a fresh one in its place (on a new port). */
    public void crashAndReplace(int index) throws Exception {
        instances.get(index).kill();
        instances.set(index, startInstance(index));
    }

    public void crash(int index) throws InterruptedException {
        instances.get(index).kill();
    }

    public void replace(int index) throws IOException, InterruptedException {
        instances.set(index, startInstance(index));
    }

    public String redisUrl() {
        return "redis://127.0.0.1:" + redisPort;
    }

    public String databaseUrl() {
        return settings.get("herald.db.url");
    }

    public void stopRedis() throws IOException {
        redis.stop();
    }

    public void startRedis() throws IOException {
        redis = newRedis(redisPort);
        redis.start();
    }

    @Override
    public void close() throws Exception {
        for (PayaraProcess instance : instances) {
            try {
                instance.close();
            } catch (RuntimeException | AssertionError e) {
                // keep closing the others
            }
        }
        try {
            if (redis.isActive()) {
                redis.stop();
            }
        } finally {
            postgres.close();
        }
    }

    private static RedisServer newRedis(int port) throws IOException {
        return RedisServer.newRedisServer().port(port).setting("bind 127.0.0.1").setting("save \"\"").setting("appendonly no").build();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
