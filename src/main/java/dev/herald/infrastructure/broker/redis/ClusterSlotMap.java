package dev.herald.infrastructure.broker.redis;

import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which master of a Redis Cluster owns each slot, read with CLUSTER SLOTS from the seed node of
 * {@code herald.redis.url} or, when the seed is gone, from any node of the last map.
 */
final class ClusterSlotMap {

    static final int SLOTS = 16384;

    private final HostAndPort seed;
    private final JedisClientConfig config;
    private volatile Set<HostAndPort> knownNodes = Set.of();

    ClusterSlotMap(HostAndPort seed, JedisClientConfig config) {
        this.seed = seed;
        this.config = config;
    }

    /**
     * The master of each slot (null for a slot no master serves).
     *
     * @param complete whether a slot without a master is an error
     * @throws RuntimeException when no node answers, or {@code complete} and a slot has no master
     */
    HostAndPort[] read(boolean complete) {
        RuntimeException last = null;
        for (HostAndPort node : nodes()) {
            try (Jedis jedis = new Jedis(node, config)) {
                HostAndPort[] owners = parse(jedis.clusterSlots(), node);
                Set<HostAndPort> masters = new LinkedHashSet<>();
                for (HostAndPort owner : owners) {
                    if (owner == null && complete) {
                        throw new IllegalStateException("the cluster does not cover every slot (seen from " + node + ")");
                    }
                    if (owner != null) {
                        masters.add(owner);
                    }
                }
                knownNodes = Set.copyOf(masters);
                return owners;
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw last;
    }

    /** The seed, then the masters of the last map. */
    Set<HostAndPort> nodes() {
        Set<HostAndPort> nodes = new LinkedHashSet<>();
        nodes.add(seed);
        nodes.addAll(knownNodes);
        return nodes;
    }

    /** CLUSTER SLOTS: [[start, end, [host, port, id, ...], replicas...], ...] into the master of each slot. */
    static HostAndPort[] parse(List<Object> slots, HostAndPort askedNode) {
        HostAndPort[] owners = new HostAndPort[SLOTS];
        for (Object o : slots) {
            List<?> range = (List<?>) o;
            int start = ((Long) range.get(0)).intValue();
            int end = ((Long) range.get(1)).intValue();
            List<?> master = (List<?>) range.get(2);
            String host = text(master.get(0));
            if (host.isEmpty() || "?".equals(host)) {
                host = askedNode.getHost(); // an unknown endpoint is the asked node's address
            }
            HostAndPort owner = new HostAndPort(host, ((Long) master.get(1)).intValue());
            for (int slot = start; slot <= end; slot++) {
                owners[slot] = owner;
            }
        }
        return owners;
    }

    private static String text(Object o) {
        return o instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(o);
    }
}
