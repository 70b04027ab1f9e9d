package dev.herald.infrastructure.broker.redis;

import dev.herald.application.broker.Broker;
import dev.herald.application.broker.RecordingListener;
import dev.herald.application.broker.SharedBrokerContract;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import dev.herald.testing.LocalRedisCluster;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Redis Cluster broker against a real local 3-master cluster of redis-server 7 (sharded pub/sub),
 * one per class: the shared broker contract, the spread of channels over shards, and a shard's outage.
 */
class RedisClusterBrokerIT extends SharedBrokerContract {

    /** Reconnect backoff is capped at 5 s with jitter, and the cluster needs a moment after a node returns. */
    private static final Duration RECONNECT_DEADLINE = Duration.ofSeconds(30);

    private static LocalRedisCluster cluster;
    private static ExecutorService executor;
    private static ScheduledExecutorService scheduler;

    @BeforeAll
    static void startCluster() throws IOException, InterruptedException {
        cluster = LocalRedisCluster.start();
        executor = Executors.newCachedThreadPool();
        scheduler = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void stopCluster() {
        if (executor != null) {
            executor.shutdownNow();
            scheduler.shutdownNow();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected Broker newBroker() {
        RedisClusterBroker broker = new RedisClusterBroker(cluster.url(), executor, scheduler);
        broker.start();
        return broker;
    }

    private static int ownerOf(String redisChannel) {
        return cluster.ownerOf(redisChannel);
    }

    private static long shardSubscribers(int node, String redisChannel) {
        try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(node))) {
            Map<String, Long> counts = jedis.pubsubShardNumSub(redisChannel);
            return counts.getOrDefault(redisChannel, 0L);
        }
    }

    @Test
    void channelsSpreadOverTheShardsAndAreSubscribedOnTheirOwners() throws InterruptedException {
        // given
        List<ChannelName> channels = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            channels.add(newChannel());
        }

        // when
        for (ChannelName channel : channels) {
            broker.subscribe(channel);
        }
        List<Event> published = new ArrayList<>();
        for (ChannelName channel : channels) {
            Event e = event(channel);
            published.add(e);
            broker.publish(e);
        }

        // then
        Set<Integer> owners = new HashSet<>();
        for (ChannelName channel : channels) {
            String name = RedisBroker.redisChannel(channel);
            int owner = ownerOf(name);
            owners.add(owner);
            assertEquals(owner, cluster.nodeOf(((RedisClusterBroker) broker).subscriberOf(channel)), "routed to the owner");
            assertEquals(1, shardSubscribers(owner, name), "SSUBSCRIBEd on its owner " + name);
        }
        assertTrue(owners.size() >= 2, "12 channels land on at least two of the three masters: " + owners);
        for (Event e : published) {
            assertEquals(List.of(e), listener.await(e.channel(), 1, DEADLINE));
        }
    }

    @Test
    void aShardKilledAndRestartedOnItsPortIsResubscribed() throws Exception {
        // given
        ChannelName channel = newChannel();
        broker.subscribe(channel);
        int owner = ownerOf(RedisBroker.redisChannel(channel));

        // when
        cluster.kill(owner);
        awaitTrue(() -> !broker.isConnected(), RECONNECT_DEADLINE, "the broker notices the lost shard");
        cluster.startNode(owner);
        cluster.awaitClusterOk();

        // then
        listener.awaitResubscribed(1, RECONNECT_DEADLINE);
        awaitTrue(broker::isConnected, RECONNECT_DEADLINE, "the broker is connected again");
        assertEquals(1, shardSubscribers(owner, RedisBroker.redisChannel(channel)), "subscribed again on its owner");
        Event after = event(channel);
        broker.publish(after);
        assertEquals(List.of(after), listener.await(channel, 1, DEADLINE));
        assertFalse(listener.events(channel).isEmpty());
    }

    @Test
    void aChannelWhoseSlotMovesIsSubscribedOnItsNewOwner() throws Exception {
        // given
        ChannelName channel = newChannel();
        String name = RedisBroker.redisChannel(channel);
        broker.subscribe(channel);
        int source = ownerOf(name);
        int target = (source + 1) % 3;

        // when: the slot (no keys in it) moves from its master to another, as a resharding does
        cluster.moveSlotOf(name, target);

        // then
        listener.awaitResubscribed(1, RECONNECT_DEADLINE);
        awaitTrue(broker::isConnected, RECONNECT_DEADLINE, "the broker is connected again");
        assertEquals(target, ownerOf(name), "the cluster moved the slot");
        assertEquals(target, cluster.nodeOf(((RedisClusterBroker) broker).subscriberOf(channel)), "routed to the new owner");
        assertEquals(1, shardSubscribers(target, name), "SSUBSCRIBEd on the new owner");
        Event after = event(channel);
        broker.publish(after);
        assertEquals(List.of(after), listener.await(channel, 1, DEADLINE));
    }
}
