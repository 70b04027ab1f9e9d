package dev.herald.infrastructure.broker.redis;

import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real 3-master Redis Cluster (redis-server 7 from the system, which {@code .ci/run} installs) on
 * free ports of 127.0.0.1, in a temporary directory; {@link #close()} stops it and deletes the files.
 */
final class LocalRedisCluster implements AutoCloseable {

    private static final Duration READY_DEADLINE = Duration.ofSeconds(30);

    private final Path dir;
    private final int[] ports;
    private final Process[] servers;

    private LocalRedisCluster(Path dir, int[] ports) {
        this.dir = dir;
        this.ports = ports;
        this.servers = new Process[ports.length];
    }

    /** Starts three masters and joins them; fails with a clear message when redis-server 7 is missing. */
    static LocalRedisCluster start() throws IOException, InterruptedException {
        requireRedis7();
        LocalRedisCluster cluster = new LocalRedisCluster(Files.createTempDirectory("herald-redis-cluster"), freePorts(3));
        try {
            for (int i = 0; i < cluster.ports.length; i++) {
                cluster.startNode(i);
            }
            List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            for (int port : cluster.ports) {
                create.add("127.0.0.1:" + port);
            }
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            run(create, Duration.ofSeconds(30));
            cluster.awaitClusterOk();
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    private static void requireRedis7() throws InterruptedException {
        String version;
        try {
            version = run(List.of("redis-server", "--version"), Duration.ofSeconds(10));
        } catch (IOException | RuntimeException e) {
            throw new AssertionError("redis-server 7 is needed for the Redis Cluster tests (sharded pub/sub) and was not"
                    + " found on PATH (" + e.getMessage() + "); .ci/run installs it: apt-get install redis-server");
        }
        if (!version.contains("v=7")) {
            throw new AssertionError("the Redis Cluster tests need redis-server 7 (sharded pub/sub), found: " + version.trim()
                    + "; .ci/run installs it: apt-get install redis-server");
        }
    }

    /** Ports whose cluster bus port (+10000) is free too. */
    private static int[] freePorts(int count) throws IOException {
        int[] ports = new int[count];
        int found = 0;
        while (found < count) {
            int candidate = ThreadLocalRandom.current().nextInt(20000, 30000);
            if (free(candidate) && free(candidate + 10000)) {
                boolean taken = false;
                for (int i = 0; i < found; i++) {
                    taken |= ports[i] == candidate;
                }
                if (!taken) {
                    ports[found++] = candidate;
                }
            }
        }
        return ports;
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port)) {
            socket.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String run(List<String> command, Duration deadline) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish within " + deadline);
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out);
        }
        return out;
    }

    int port(int node) {
        return ports[node];
    }

    /** The seed URL: the first node. */
    String url() {
        return "redis://127.0.0.1:" + ports[0];
    }

    int nodeOf(HostAndPort address) {
        for (int i = 0; i < ports.length; i++) {
            if (ports[i] == address.getPort()) {
                return i;
            }
        }
        throw new IllegalArgumentException("not a node: " + address);
    }

    void startNode(int i) throws IOException, InterruptedException {
        int port = ports[i];
        servers[i] = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--cluster-enabled", "yes",
                "--cluster-config-file", "nodes-" + port + ".conf", "--cluster-node-timeout", "5000",
                "--dir", dir.toString(), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis-" + port + ".log").toFile())
                .start();
        long end = System.nanoTime() + READY_DEADLINE.toNanos();
        while (true) {
            try (Jedis jedis = new Jedis("127.0.0.1", port)) {
                jedis.ping();
                return;
            } catch (RuntimeException e) {
                if (!servers[i].isAlive() || System.nanoTime() - end > 0) {
                    throw new IllegalStateException("redis-server on " + port + " did not start; see " + dir);
                }
                Thread.sleep(50);
            }
        }
    }

    /** kill -9 of one node. */
    void kill(int i) throws InterruptedException {
        servers[i].destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    void awaitClusterOk() throws InterruptedException {
        long end = System.nanoTime() + READY_DEADLINE.toNanos();
        for (int port : ports) {
            while (true) {
                try (Jedis jedis = new Jedis("127.0.0.1", port)) {
                    if (jedis.clusterInfo().contains("cluster_state:ok")) {
                        break;
                    }
                } catch (RuntimeException e) {
                    // not up yet
                }
                if (System.nanoTime() - end > 0) {
                    throw new IllegalStateException("the Redis cluster did not reach cluster_state:ok within " + READY_DEADLINE);
                }
                Thread.sleep(100);
            }
        }
    }

    @Override
    public void close() {
        for (Process p : servers) {
            if (p != null) {
                p.destroyForcibly();
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
