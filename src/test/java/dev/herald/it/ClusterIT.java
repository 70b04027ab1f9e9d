package dev.herald.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import static dev.herald.it.WsClient.eventOn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two Herald instances on Payara Micro behind no load balancer at all, sharing a real Redis and a
 * real PostgreSQL: events cross instances, concurrent publishers on both keep one order, a crashed
 * instance or a restarted Redis loses and repeats nothing, the per-user connection limit and
 * presence hold across instances, and a crashed instance's part of them expires.
 */
class ClusterIT {

    private static final AtomicInteger CHANNELS = new AtomicInteger();

    @TempDir
    static Path workDir;

    private static HeraldCluster cluster;
    private static String admin;

    /** Seconds a crashed instance's connections and presence entries keep counting. */
    private static final int TTL_SECONDS = 3;

    @BeforeAll
    static void start() throws Exception {
        // A limit of 2 holds for every test here, ops (the admin) included: no test keeps more than
        // two connections of one user open at a time, and eviction takes the oldest first, so a
        // connection of an earlier test that is still closing goes before any of the current test's.
        cluster = HeraldCluster.start(workDir, 2, Map.of(
                "herald.limits.connections-per-user", "2",
                "herald.presence.refresh-interval", "1s",
                "herald.presence.ttl", TTL_SECONDS + "s"));
        admin = Jwts.user("ops").roles("admin").sign();
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String freshChannel() {
        return "diagnosis:cluster-" + CHANNELS.incrementAndGet() + "-" + System.nanoTime();
    }

    private static WsClient subscribe(int instance, String channel, String token) throws InterruptedException {
        return ClusterClients.subscribe(cluster, instance, channel, token);
    }

    private static WsClient welcomed(int instance, String token) throws InterruptedException {
        return ClusterClients.welcomed(cluster, instance, token);
    }

    private static String presence(int instance, String channel) {
        return ClusterClients.presence(cluster, instance, channel, admin);
    }

    private static void awaitPresence(int instance, String channel, String users, Duration deadline) throws InterruptedException {
        ClusterClients.awaitPresence(cluster, instance, channel, admin, users, deadline);
    }

    private static void assertAlive(WsClient client) throws InterruptedException {
        ClusterClients.assertAlive(client);
    }

    private static List<Long> seqs(List<JsonObject> events) {
        return events.stream().map(WsClient::seq).toList();
    }

    @Test
    void anEventPublishedOnOneInstanceReachesSubscribersOnTheOther() throws Exception {
        String channel = freshChannel();
        try (WsClient onB = subscribe(1, channel, admin)) {
            long seq = cluster.api(0).publishOk(admin, channel, "agent_message", "{\"text\":\"from A\"}");
            JsonObject event = onB.await(eventOn(channel));
            assertEquals(seq, WsClient.seq(event));
            assertEquals("from A", event.getJsonObject("data").getString("text"));
        }
    }

    @Test
    void aPersonalChannelReachesTheUsersConnectionsOnEveryInstance() throws Exception {
        String token = Jwts.user("frank").sign();
        try (WsClient laptop = subscribe(0, "user:frank", token);
             WsClient phone = subscribe(1, "user:frank", token)) {
            long seq = cluster.api(1).publishOk(admin, "user:frank", "notification", "{\"n\":1}");
            assertEquals(seq, WsClient.seq(laptop.await(eventOn("user:frank"))));
            assertEquals(seq, WsClient.seq(phone.await(eventOn("user:frank"))));
        }
    }

    @Test
    void publishersOnBothInstancesKeepOneOrderForEverySubscriber() throws Exception {
        String channel = freshChannel();
        int perPublisher = 150;
        ExecutorService publishers = Executors.newFixedThreadPool(4);
        try (WsClient onA = subscribe(0, channel, admin); WsClient onB = subscribe(1, channel, admin)) {
            List<Future<?>> running = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                int instance = p % 2;
                running.add(publishers.submit(() -> {
                    for (int i = 0; i < perPublisher; i++) {
                        cluster.api(instance).publishOk(admin, channel, "output", "{\"i\":" + i + "}");
                    }
                }));
            }
            for (Future<?> f : running) {
                f.get(180, TimeUnit.SECONDS);
            }
            List<Long> expected = LongStream.rangeClosed(1, 4L * perPublisher).boxed().toList();
            assertEquals(expected, seqs(onA.awaitAll(eventOn(channel), expected.size())));
            assertEquals(expected, seqs(onB.awaitAll(eventOn(channel), expected.size())));
            assertEquals(expected.size(), onA.frames().stream().filter(f -> f.contains("\"type\":\"output\"")).count(), "no duplicates on A");
            assertEquals(expected.size(), onB.frames().stream().filter(f -> f.contains("\"type\":\"output\"")).count(), "no duplicates on B");
        } finally {
            publishers.shutdownNow();
        }
    }

    @Test
    void clientsOfAKilledInstanceResumeOnTheOtherWithoutLossOrDuplicates() throws Exception {
        String channel = freshChannel();
        int total = 200;
        ExecutorService publisher = Executors.newSingleThreadExecutor();
        List<Long> seen = new ArrayList<>();
        try (WsClient onA = subscribe(0, channel, admin)) {
            Future<?> publishing = publisher.submit(() -> {
                for (int i = 1; i <= total; i++) {
                    cluster.api(1).publishOk(admin, channel, "output", "{\"line\":" + i + "}");
                }
            });
            onA.awaitAll(eventOn(channel), 30);
            cluster.crash(0);
            assertEquals(1006, onA.awaitClose(), "the socket simply drops");
            seen.addAll(onA.frames().stream().map(dev.herald.testing.Frames::parse).filter(eventOn(channel))
                    .map(WsClient::seq).toList());
            long last = seen.get(seen.size() - 1);

            try (WsClient onB = WsClient.connect(cluster.api(1).ws("/ws"), Map.of("Authorization", "Bearer " + admin))) {
                onB.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\",\"since\":" + last + "}");
                assertTrue(onB.awaitType("subscribed").getBoolean("recovered"));
                publishing.get(180, TimeUnit.SECONDS);
                seen.addAll(seqs(onB.awaitAll(eventOn(channel), (int) (total - last))));
            }
            assertEquals(LongStream.rangeClosed(1, total).boxed().toList(), seen);
        } finally {
            publisher.shutdownNow();
            cluster.replace(0);
        }
    }

    @Test
    void aRedisRestartUnderSteadyPublishingLosesAndRepeatsNothing() throws Exception {
        String channel = freshChannel();
        int total = 400;
        AtomicInteger published = new AtomicInteger();
        ExecutorService publisher = Executors.newSingleThreadExecutor();
        try (WsClient onA = subscribe(0, channel, admin); WsClient onB = subscribe(1, channel, admin)) {
            Future<?> publishing = publisher.submit(() -> {
                for (int i = 1; i <= total; i++) {
                    cluster.api(i % 2).publishOk(admin, channel, "output", "{\"line\":" + i + "}");
                    published.incrementAndGet();
                }
            });
            onA.awaitAll(eventOn(channel), 50);
            cluster.stopRedis();
            int atStop = published.get();
            // While Redis is down, both instances keep delivering what the other commits, from the store.
            onA.awaitAll(eventOn(channel), atStop + 40);
            onB.awaitAll(eventOn(channel), atStop + 40);
            assertTrue(published.get() < total, "the outage overlapped the publishing");
            cluster.startRedis();
            publishing.get(180, TimeUnit.SECONDS);

            List<Long> expected = LongStream.rangeClosed(1, total).boxed().toList();
            assertEquals(expected, seqs(onA.awaitAll(eventOn(channel), total)));
            assertEquals(expected, seqs(onB.awaitAll(eventOn(channel), total)));
            assertEquals(total, onA.frames().stream().filter(f -> f.contains("\"type\":\"output\"")).count());
            assertEquals(total, onB.frames().stream().filter(f -> f.contains("\"type\":\"output\"")).count());

            // Delivery resumed by itself: a fresh event after the restart arrives on both.
            long next = cluster.api(0).publishOk(admin, channel, "output", "{\"line\":\"after\"}");
            assertEquals(next, WsClient.seq(onB.await(e -> eventOn(channel).test(e) && WsClient.seq(e) == next)));
        } finally {
            publisher.shutdownNow();
        }
    }

    @Test
    void thePerUserLimitClosesTheOldestConnectionOnWhicheverInstanceHoldsIt() throws Exception {
        // given: gwen has two connections on A, both on her personal channel
        String token = Jwts.user("gwen").sign();
        try (WsClient oldest = welcomed(0, token); WsClient second = subscribe(0, "user:gwen", token)) {

            // when: a third one arrives on B
            try (WsClient third = subscribe(1, "user:gwen", token)) {

                // then: the oldest, on A, is replaced; the other two stay
                assertEquals(4008, oldest.awaitClose());
                assertAlive(second);
                assertAlive(third);
                awaitPresence(0, "user:gwen", "[{\"user\":\"gwen\",\"connections\":2}]", WsClient.WAIT);
            }

            // and when the newest closes, its slot is free for the next one
            awaitPresence(0, "user:gwen", "[{\"user\":\"gwen\",\"connections\":1}]", WsClient.WAIT);
            try (WsClient fourth = welcomed(0, token)) {
                // Welcomed means registered, and a connection of the same instance is closed
                // before that, so a wrong eviction of the second would already show.
                assertAlive(second);
                assertAlive(fourth);
            }
        }
    }

    @Test
    void presenceListsSubscribersOfBothInstancesOnEitherAndForgetsAKilledInstanceOnceItsEntriesExpire() throws Exception {
        String channel = freshChannel();
        String users = "[{\"user\":\"hank\",\"connections\":1},{\"user\":\"ivy\",\"connections\":1}]";
        try (WsClient hankOnA = subscribe(0, channel, Jwts.user("hank").channels("diagnosis:*").sign());
             WsClient ivyOnB = subscribe(1, channel, Jwts.user("ivy").channels("diagnosis:*").sign())) {
            assertEquals(users, presence(0, channel));
            assertEquals(users, presence(1, channel));
            ivyOnB.send("{\"type\":\"presence\",\"channel\":\"" + channel + "\",\"ref\":\"p1\"}");
            JsonObject frame = ivyOnB.awaitType("presence");
            assertEquals("p1", frame.getString("ref"));
            assertEquals(users, frame.getJsonArray("users").toString());

            // Each entry carries its expiry (RedisPresenceIT checks the layout): waited for, not timed.
            cluster.crash(0);
            awaitPresence(1, channel, "[{\"user\":\"ivy\",\"connections\":1}]", Duration.ofSeconds(TTL_SECONDS + 10));
        } finally {
            cluster.replace(0);
        }
    }
}
