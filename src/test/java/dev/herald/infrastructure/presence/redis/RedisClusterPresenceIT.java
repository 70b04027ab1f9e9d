package dev.herald.infrastructure.presence.redis;

import dev.herald.application.presence.Presence;
import dev.herald.application.presence.SharedPresenceContract;
import dev.herald.application.session.InstanceId;
import dev.herald.domain.ChannelName;
import dev.herald.infrastructure.redis.RedisCommands;
import dev.herald.testing.LocalRedisCluster;
import dev.herald.testing.PerClass;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.JedisCluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Redis presence on a real local 3-master Redis Cluster (redis-server 7), one per class: the presence
 * contract across instances, and channels on every master renewed and removed in one go.
 */
class RedisClusterPresenceIT extends SharedPresenceContract {

    private static final Duration TTL = Duration.ofSeconds(1);

    @RegisterExtension
    static final PerClass<LocalRedisCluster> REDIS = new PerClass<>(LocalRedisCluster::start);

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeResources() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    @Override
    protected Duration ttl() {
        return TTL;
    }

    @Override
    protected Presence newPresence() {
        RedisCommands commands = new RedisCommands(REDIS.get().url(), true, "herald-state");
        resources.add(commands);
        return new RedisPresence(commands, InstanceId.random(), TTL);
    }

    @Test
    void channelsOnEveryMasterAreRenewedAndRemovedTogether() throws Exception {
        // given: channels until each of the three masters holds at least one, joined on this instance
        Set<Integer> masters = new HashSet<>();
        List<ChannelName> channels = new ArrayList<>();
        while (masters.size() < 3) {
            ChannelName channel = newChannel();
            channels.add(channel);
            masters.add(REDIS.get().ownerOf(RedisPresence.key(channel)));
        }
        channels.forEach(c -> presence.join(c, "alice", "a1"));
        ChannelName marker = newChannel();
        Presence crashed = instance();
        crashed.join(marker, "bob", "b1"); // never renewed: shows when one time to live has passed

        // when: this instance renews at every poll until the marker has expired
        awaitTrue(() -> {
            presence.refresh();
            return presence.of(marker).isEmpty();
        }, TTL.plus(DEADLINE), "the marker expires");

        // then: every channel kept its entry, and closing removes them all, wherever they live
        for (ChannelName channel : channels) {
            assertEquals(users("alice", 1), presence.of(channel), channel.value());
        }
        ((AutoCloseable) presence).close();
        try (JedisCluster redis = REDIS.get().client()) {
            for (ChannelName channel : channels) {
                assertEquals(0, redis.zcard(RedisPresence.key(channel)), channel.value());
            }
        }
    }
}
