package dev.herald.it;

import dev.herald.testing.Frames;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;
import redis.clients.jedis.resps.StreamGroupInfo;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.herald.it.ClusterClients.assertAlive;
import static dev.herald.it.ClusterClients.awaitPresence;
import static dev.herald.it.ClusterClients.presence;
import static dev.herald.it.ClusterClients.subscribe;
import static dev.herald.it.ClusterClients.welcomed;
import static dev.herald.it.WsClient.eventOn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two Herald instances on Payara Micro with {@code herald.redis.cluster=true} on a real local
 * 3-master Redis Cluster (redis-server 7) and a real PostgreSQL, booted once for the class: events,
 * personal channels, the per-user limit, presence, client commands and the ingest stream all work
 * across instances, as they do on one Redis node.
 */
class RedisClusterModeIT {

    private static final AtomicInteger CHANNELS = new AtomicInteger();

    @TempDir
    static Path workDir;

    private static HeraldCluster herald;
    private static String admin;

    @BeforeAll
    static void start() throws Exception {
        // A limit of 2 holds for every test here, as in ClusterIT: no test keeps more than two
        // connections of one user open at a time.
        herald = HeraldCluster.startOnRedisCluster(workDir, 2, Map.of(
                "herald.limits.connections-per-user", "2",
                "herald.presence.refresh-interval", "1s",
                "herald.presence.ttl", "3s"));
        admin = Jwts.user("ops").roles("admin").sign();
    }

    @AfterAll
    static void stop() throws Exception {
        if (herald != null) {
            herald.close();
        }
    }

    private static String freshChannel() {
        return "diagnosis:rc-" + CHANNELS.incrementAndGet() + "-" + System.nanoTime();
    }

    @Test
    void anEventPublishedOnOneInstanceReachesSubscribersOnTheOther() throws Exception {
        String channel = freshChannel();
        try (WsClient onB = subscribe(herald, 1, channel, admin)) {
            long seq = herald.api(0).publishOk(admin, channel, "agent_message", "{\"text\":\"from A\"}");
            JsonObject event = onB.await(eventOn(channel));
            assertEquals(seq, WsClient.seq(event));
            assertEquals("from A", event.getJsonObject("data").getString("text"));
        }
    }

    @Test
    void aPersonalChannelReachesTheUsersConnectionsOnEveryInstance() throws Exception {
        String token = Jwts.user("frank").sign();
        try (WsClient laptop = subscribe(herald, 0, "user:frank", token);
             WsClient phone = subscribe(herald, 1, "user:frank", token)) {
            long seq = herald.api(1).publishOk(admin, "user:frank", "notification", "{\"n\":1}");
            assertEquals(seq, WsClient.seq(laptop.await(eventOn("user:frank"))));
            assertEquals(seq, WsClient.seq(phone.await(eventOn("user:frank"))));
        }
    }

    @Test
    void thePerUserLimitClosesTheOldestConnectionOnTheOtherInstanceWith4008() throws Exception {
        // given: gwen has two connections on A
        String token = Jwts.user("gwen").sign();
        try (WsClient oldest = welcomed(herald, 0, token); WsClient second = welcomed(herald, 0, token);
             // when: a third one arrives on B
             WsClient third = welcomed(herald, 1, token)) {

            // then: the oldest, on A, is told over the sharded control channel and closed
            assertEquals(4008, oldest.awaitClose());
            assertAlive(second);
            assertAlive(third);
        }
    }

    @Test
    void presenceListsTheSubscribersOfBothInstancesOnEither() throws Exception {
        String channel = freshChannel();
        String users = "[{\"user\":\"hank\",\"connections\":1},{\"user\":\"ivy\",\"connections\":1}]";
        try (WsClient hankOnA = subscribe(herald, 0, channel, Jwts.user("hank").channels("diagnosis:*").sign());
             WsClient ivyOnB = subscribe(herald, 1, channel, Jwts.user("ivy").channels("diagnosis:*").sign())) {
            assertEquals(users, presence(herald, 0, channel, admin));
            assertEquals(users, presence(herald, 1, channel, admin));
        }
        awaitPresence(herald, 1, channel, admin, "[]", WsClient.WAIT);
    }

    @Test
    void aClientCommandIsAddedToTheCommandStream() throws Exception {
        String channel = freshChannel();
        String ref = "rc-" + System.nanoTime();
        try (WsClient client = subscribe(herald, 1, channel, admin); JedisCluster redis = herald.redisCluster().client()) {
            client.send("{\"type\":\"command\",\"channel\":\"" + channel + "\",\"name\":\"cancel\",\"data\":{\"iteration\":3},\"ref\":\""
                    + ref + "\"}");
            client.await(f -> "accepted".equals(f.getString("type", null)) && ref.equals(f.getString("ref", null)));

            List<StreamEntry> mine = redis.xrevrange("herald:commands", "+", "-", 100).stream()
                    .filter(e -> ref.equals(e.getFields().get("ref"))).toList();
            assertEquals(1, mine.size());
            assertEquals(Map.of("connectionId", mine.get(0).getFields().get("connectionId"), "user", "ops", "channel", channel,
                    "name", "cancel", "data", "{\"iteration\":3}", "ref", ref, "ts", mine.get(0).getFields().get("ts")),
                    mine.get(0).getFields());
        }
    }

    @Test
    void anIngestStreamEntryIsPublishedOnceAndAddedAgainIsDropped() throws Exception {
        // given: a subscriber on each instance
        String channel = freshChannel();
        String key = "rc-" + System.nanoTime();
        Map<String, String> entry = Map.of("idempotencyKey", key, "channel", channel, "type", "order.updated", "data", "{\"n\":1}");
        try (WsClient onA = subscribe(herald, 0, channel, admin); WsClient onB = subscribe(herald, 1, channel, admin);
             JedisCluster redis = herald.redisCluster().client()) {

            // when: a worker adds the entry, then adds it again (a retry after a lost reply)
            redis.xadd("herald:ingest", StreamEntryID.NEW_ENTRY, entry);
            JsonObject onAFirst = onA.await(eventOn(channel));
            JsonObject onBFirst = onB.await(eventOn(channel));
            StreamEntryID again = redis.xadd("herald:ingest", StreamEntryID.NEW_ENTRY, entry);
            awaitAcknowledged(redis, again);

            // then: one event, on both instances; a later event is the next in sequence
            assertEquals(WsClient.seq(onAFirst), WsClient.seq(onBFirst));
            assertEquals("{\"n\":1}", onAFirst.getJsonObject("data").toString());
            long next = herald.api(0).publishOk(admin, channel, "marker", "{}");
            assertEquals(WsClient.seq(onAFirst) + 1, next, "the repeated entry took no sequence number");
            onA.await(e -> eventOn(channel).test(e) && WsClient.seq(e) == next);
            onB.await(e -> eventOn(channel).test(e) && WsClient.seq(e) == next);
            assertEquals(2, onA.frames().stream().map(Frames::parse).filter(eventOn(channel)).count(), "A got each event once");
            assertEquals(2, onB.frames().stream().map(Frames::parse).filter(eventOn(channel)).count(), "B got each event once");
        }
    }

    /** Until Herald's consumer group has been handed the entry and acknowledged everything. */
    @Test
    void anAdminOnOneInstanceDisconnectsAUsersConnectionOnTheOtherWith4011() throws Exception {
        // given: kim is connected to B only
        String token = Jwts.user("kim").sign();
        try (WsClient onB = welcomed(herald, 1, token)) {

            // when: an administrator asks A to disconnect kim
            HttpResponse<String> answer = herald.api(0).delete(admin, "api/admin/users/kim/connections");

            // then: B closes kim's connection, told over the sharded control channel
            assertEquals(200, answer.statusCode(), answer.body());
            assertEquals(4011, onB.awaitClose());
        }
    }

    @Test
    void anAdminWatchingTheAuditOnOneInstanceSeesRecordsMadeOnTheOther() throws Exception {
        String channel = freshChannel();
        try (WsClient watcher = WsClient.connect(herald.api(0).ws("/ws/audit?type=publish&channel=" + channel),
                Map.of("Authorization", "Bearer " + admin))) {
            watcher.awaitType("filtered");

            long seq = herald.api(1).publishOk(admin, channel, "step", "{}");

            JsonObject record = watcher.awaitType("audit").getJsonObject("record");
            assertEquals(channel, record.getString("channel"));
            assertEquals(seq, record.getJsonObject("detail").getJsonNumber("seq").longValue());
            String healthOfB = herald.api(1).get(admin, "api/admin/health").body();
            assertTrue(healthOfB.contains("\"instance\":\"" + record.getString("instance") + "\""),
                    "the record names B, the instance that published: " + record + " / " + healthOfB);
        }
    }

    private static void awaitAcknowledged(JedisCluster redis, StreamEntryID id) throws InterruptedException {
        long end = System.nanoTime() + WsClient.WAIT.toNanos();
        while (true) {
            Optional<StreamGroupInfo> group = redis.xinfoGroups("herald:ingest").stream()
                    .filter(g -> g.getName().equals("herald")).findFirst();
            if (group.isPresent() && group.get().getLastDeliveredId().compareTo(id) >= 0 && group.get().getPending() == 0) {
                return;
            }
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("the ingest group did not acknowledge " + id + " within " + WsClient.WAIT + ": " + group);
            }
            Thread.sleep(50);
        }
    }
}
