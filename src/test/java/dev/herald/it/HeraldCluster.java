package dev.herald.it;

import dev.herald.testing.LocalRedisCluster;
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
 * Herald as it runs in production, on one machine: a real PostgreSQL, a real redis-server (or a
 * 3-master Redis Cluster) and several Herald instances on Payara Micro sharing both, each on its own
 * port. Instances can be killed and started again; a single Redis can be stopped and started on the
 * same port.
 */
public final class HeraldCluster implements AutoCloseable {

    private final Path workDir;
    private final EmbeddedPostgres postgres;
    private final int redisPort;
    private RedisServer redis;
    private final LocalRedisCluster redisCluster;
    private final List<PayaraProcess> instances = new ArrayList<>();
    private final Map<String, String> settings;
    private final int basePort;

    private HeraldCluster(Path workDir, EmbeddedPostgres postgres, int redisPort, RedisServer redis,
                          LocalRedisCluster redisCluster, Map<String, String> settings, int basePort) {
        this.workDir = workDir;
        this.postgres = postgres;
        this.redisPort = redisPort;
        this.redis = redis;
        this.redisCluster = redisCluster;
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
        int redisPort = freePort();
        RedisServer redis = newRedis(redisPort);
        redis.start();
        return start(workDir, size, extraSettings, basePort, redisPort, redis, null);
    }

    /**
     * Starts PostgreSQL, a local 3-master Redis Cluster (redis-server 7) and {@code size} Herald
     * instances on free ports, with {@code herald.redis.cluster=true} and the first master as seed.
     */
    public static HeraldCluster startOnRedisCluster(Path workDir, int size, Map<String, String> extraSettings) throws Exception {
        LocalRedisCluster redisCluster = LocalRedisCluster.start();
        return start(workDir, size, extraSettings, 0, -1, null, redisCluster);
    }

    private static HeraldCluster start(Path workDir, int size, Map<String, String> extraSettings, int basePort,
                                       int redisPort, RedisServer redis, LocalRedisCluster redisCluster) throws Exception {
        EmbeddedPostgres postgres;
        try {
            postgres = EmbeddedPostgres.builder().setDataDirectory(workDir.resolve("pg")).start();
        } catch (Exception e) {
            if (redis != null) {
                redis.stop();
            }
            if (redisCluster != null) {
                redisCluster.close();
            }
            throw e;
        }
        Map<String, String> settings = new HashMap<>(Map.of(
                "herald.jwt.secret", Jwts.SECRET,
                "herald.db.url", postgres.getJdbcUrl("postgres", "postgres"),
                "herald.db.user", "postgres",
                "herald.redis.url", redisCluster != null ? redisCluster.url() : "redis://127.0.0.1:" + redisPort,
                "herald.redis.cluster", Boolean.toString(redisCluster != null),
                "herald.broker.head-check-interval", "1s",
                "herald.broker.poll-interval", "250ms"));
        settings.putAll(extraSettings);
        HeraldCluster cluster = new HeraldCluster(workDir, postgres, redisPort, redis, redisCluster, settings, basePort);
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
        return redisCluster != null ? redisCluster.url() : "redis://127.0.0.1:" + redisPort;
    }

    /** The Redis Cluster of {@link #startOnRedisCluster}. */
    public LocalRedisCluster redisCluster() {
        if (redisCluster == null) {
            throw new IllegalStateException("this Herald cluster runs on a single Redis");
        }
        return redisCluster;
    }

    public String databaseUrl() {
        return settings.get("herald.db.url");
    }

    public void stopRedis() throws IOException {
        if (redis == null) {
            throw new IllegalStateException("stopping Redis is for a single Redis; kill a node of the cluster instead");
        }
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
            if (redis != null && redis.isActive()) {
                redis.stop();
            }
            if (redisCluster != null) {
                redisCluster.close();
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
