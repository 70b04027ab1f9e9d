package dev.herald.infrastructure.broker.redis;

import dev.herald.domain.Sequence;
import dev.herald.testing.LocalRedisCluster;
import dev.herald.testing.PerClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The ingest stream on a real local 3-master Redis Cluster (redis-server 7), one per class: the
 * ingest contract (the ingest and rejected streams usually live on different masters), then a
 * resharding that moves the stream to another master while an instance consumes it.
 */
class RedisClusterIngestStreamIT extends RedisIngestStreamContract {

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
    protected UnifiedJedis redis() {
        return REDIS.get().client();
    }

    @Test
    void aStreamWhoseSlotMovesToAnotherMasterIsConsumedThereWithItsGroupAndPendingEntries() throws Exception {
        // given: an instance consuming the stream on its master
        RedisIngestStream a = instance("instance-a", jpa);
        await(a::isConnected, "connected");
        StreamEntryID first;
        try (UnifiedJedis jedis = redis()) {
            first = add(jedis, entry(prefix + "-before", channel(8), "{\"n\":1}"));
        }
        awaitAllAcknowledged(first);
        int target = (REDIS.get().ownerOf(stream) + 1) % 3;

        // when: a resharding moves the stream's slot, with the stream and its group, to another master
        REDIS.get().moveSlotOf(stream, target);
        StreamEntryID last;
        try (UnifiedJedis jedis = redis()) {
            last = add(jedis, entry(prefix + "-after", channel(8), "{\"n\":2}"));
        }

        // then: the consumer finds the new owner and goes on where the group stands
        assertEquals(target, REDIS.get().ownerOf(stream), "the cluster moved the slot " + JedisClusterCRC16.getSlot(stream));
        awaitAllAcknowledged(last);
        assertEquals(List.of("{\"n\":1}", "{\"n\":2}"), data(jpa.read(channel(8), Sequence.ZERO, 10)));
    }
}
