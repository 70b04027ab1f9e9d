package dev.herald.infrastructure.session.redis;

import dev.herald.application.session.ConnectionEntry;
import dev.herald.application.session.InstanceId;
import dev.herald.infrastructure.broker.redis.RedisClusterBroker;
import dev.herald.testing.LocalRedisCluster;
import dev.herald.testing.PerClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.JedisCluster;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Redis connection directory on a real local 3-master Redis Cluster (redis-server 7), one per
 * class, with the cluster broker's sharded control channel: the directory contract across
 * instances, and users whose sets live on different masters renewed in one go.
 */
class RedisClusterConnectionDirectoryIT extends RedisDirectoryFixture {

    @RegisterExtension
    static final PerClass<LocalRedisCluster> REDIS = new PerClass<>(LocalRedisCluster::start);

    @Override
    protected String url() {
        return REDIS.get().url();
    }

    @Override
    protected boolean cluster() {
        return true;
    }

    @Override
    protected RedisClusterBroker startBroker() {
        RedisClusterBroker broker = new RedisClusterBroker(REDIS.get().url(), executor, scheduler);
        broker.start();
        return broker;
    }

    @Test
    void renewalsOfUsersOnEveryMasterApplyTheLimitAndAnnounceEvictions() throws Exception {
        // given: users until each of the three masters holds at least one user's set
        Instance a = instance(1);
        RedisConnectionDirectory deaf = directory(InstanceId.random(), 1, false);
        Instance b = instance(deaf);
        Set<Integer> masters = new HashSet<>();
        List<String> users = new ArrayList<>();
        while (masters.size() < 3) {
            String user = newUser();
            users.add(user);
            masters.add(REDIS.get().ownerOf(RedisConnectionDirectory.key(user)));
        }
        // b registers first; then a, whose registrations evict b's (b is deaf: it misses the news)
        for (int i = 0; i < users.size(); i++) {
            b.register(users.get(i), "b-" + i, 1);
        }
        for (int i = 0; i < users.size(); i++) {
            assertEquals(List.of("b-" + i), ids(a.directory().register(users.get(i), "a-" + i, T0.plusSeconds(2))));
        }
        assertEquals(List.of(), b.evicted());

        // when: b renews all of them, one pipeline over three masters
        deaf.refresh();

        // then: each renewal found its connection the oldest beyond the limit again, on every master
        assertEquals(users.size(), b.evicted().size());
        try (JedisCluster redis = REDIS.get().client()) {
            for (int i = 0; i < users.size(); i++) {
                List<String> members = redis.zrange(RedisConnectionDirectory.key(users.get(i)), 0, -1);
                assertEquals(1, members.size(), "only a's connection of " + users.get(i));
                assertTrue(members.get(0).endsWith("|a-" + i), members.get(0));
            }
        }
        List<ConnectionEntry> left = a.directory().connections(users.get(0));
        assertEquals(List.of("a-0"), ids(left));
    }
}
