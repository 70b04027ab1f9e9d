package dev.herald.testing;

import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.Protocol;

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
public final class LocalRedisCluster implements AutoCloseable {

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
    public static LocalRedisCluster start() throws IOException, InterruptedException {
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

    public int port(int node) {
        return ports[node];
    }

    /** The seed URL: the first node. */
    public String url() {
        return "redis://127.0.0.1:" + ports[0];
    }

    public int nodeOf(HostAndPort address) {
        for (int i = 0; i < ports.length; i++) {
            if (ports[i] == address.getPort()) {
                return i;
            }
        }
        throw new IllegalArgumentException("not a node: " + address);
    }

    public void startNode(int i) throws IOException, InterruptedException {
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

    /** A client of the whole cluster, for a test to look at keys wherever they live. */
    public JedisCluster client() {
        return new JedisCluster(new HostAndPort("127.0.0.1", ports[0]));
    }

    /** The node (0, 1 or 2) whose master owns a key or sharded channel now, per CLUSTER KEYSLOT and CLUSTER SLOTS. */
    public int ownerOf(String key) {
        try (Jedis jedis = new Jedis("127.0.0.1", ports[0])) {
            long slot = jedis.clusterKeySlot(key);
            for (Object o : jedis.clusterSlots()) {
                List<?> range = (List<?>) o;
                if ((Long) range.get(0) <= slot && slot <= (Long) range.get(1)) {
                    List<?> master = (List<?>) range.get(2);
                    return nodeOf(new HostAndPort("127.0.0.1", ((Long) master.get(1)).intValue()));
                }
            }
        }
        throw new AssertionError("no owner for " + key);
    }

    /**
     * Moves the slot of {@code key} from its master to node {@code target}, as a resharding does:
     * its keys are migrated (MIGRATE), then every node is told the new owner.
     */
    public void moveSlotOf(String key, int target) {
        int source = ownerOf(key);
        if (source == target) {
            throw new IllegalArgumentException(key + " is on node " + target + " already");
        }
        int slot;
        try (Jedis jedis = new Jedis("127.0.0.1", ports[source])) {
            slot = (int) jedis.clusterKeySlot(key);
        }
        String sourceId = nodeId(source);
        String targetId = nodeId(target);
        clusterCommand(target, "SETSLOT", String.valueOf(slot), "IMPORTING", sourceId);
        clusterCommand(source, "SETSLOT", String.valueOf(slot), "MIGRATING", targetId);
        try (Jedis jedis = new Jedis("127.0.0.1", ports[source])) {
            List<String> keys;
            while (!(keys = jedis.clusterGetKeysInSlot(slot, 100)).isEmpty()) {
                for (String k : keys) {
                    jedis.migrate("127.0.0.1", ports[target], k, 0, 5000);
                }
            }
        }
        for (int node = 0; node < ports.length; node++) {
            clusterCommand(node, "SETSLOT", String.valueOf(slot), "NODE", targetId);
        }
    }

    private String nodeId(int node) {
        try (Jedis jedis = new Jedis("127.0.0.1", ports[node])) {
            return jedis.clusterMyId();
        }
    }

    private void clusterCommand(int node, String... args) {
        try (Jedis jedis = new Jedis("127.0.0.1", ports[node])) {
            jedis.sendCommand(Protocol.Command.CLUSTER, args);
        }
    }

    /** kill -9 of one node. */
    public void kill(int i) throws InterruptedException {
        servers[i].destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    public void awaitClusterOk() throws InterruptedException {
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
