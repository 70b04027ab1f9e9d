package dev.herald.infrastructure.broker.redis;

import dev.herald.application.ClientCommand;
import dev.herald.application.CommandRelay;
import dev.herald.application.security.ChannelGrant;
import dev.herald.application.security.Principal;
import dev.herald.application.session.ClientFrame;
import dev.herald.application.session.ClientSession;
import dev.herald.domain.ChannelName;
import dev.herald.infrastructure.broker.memory.InMemoryBroker;
import dev.herald.testing.ApplicationHarness;
import dev.herald.testing.Frames;
import dev.herald.testing.RecordingConnection;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command stream on the Redis a subclass gives (one redis-server, or a Redis Cluster): client
 * commands sent through the gateway arrive as documented entries that a worker reads with its own
 * consumer group.
 */
abstract class RedisCommandStreamContract {

    static final Duration WAIT = Duration.ofSeconds(10);

    /** {@code herald.redis.url} of the Redis under test. */
    protected abstract String url();

    /** Whether {@link #url()} names a node of a Redis Cluster. */
    protected abstract boolean cluster();

    /** A new client of that Redis, for the test to read the stream as a worker; closed by the test. */
    protected abstract UnifiedJedis redis();

    static String newStream() {
        return "herald:commands:" + UUID.randomUUID();
    }

    private static Principal user(String subject, Optional<String> tenant) {
        return new Principal(subject, tenant, Set.of(), List.of(new ChannelGrant("diagnosis:*")), List.of(),
                Instant.now().plusSeconds(3600));
    }

    @Test
    void commandsFromClientsArriveAsDocumentedEntriesForAWorkersConsumerGroup() throws Exception {
        // given: a worker's group, created the way docs/redis.md shows (XGROUP CREATE ... $ MKSTREAM)
        String stream = newStream();
        try (UnifiedJedis worker = redis();
             RedisCommandStream commands = new RedisCommandStream(url(), cluster(), stream, 1000, Clock.systemUTC());
             ApplicationHarness herald = new ApplicationHarness(new InMemoryBroker(), Clock.systemUTC(), Map.of())) {
            worker.xgroupCreate(stream, "workers", StreamEntryID.XGROUP_LAST_ENTRY, true);
            List<ClientCommand> observed = new ArrayList<>();
            CommandRelay relay = new CommandRelay(commands);
            herald.onCommand(command -> {
                observed.add(command); // the application's own observer runs first
                relay.relay(command);
            });
            herald.tokens.register("alice", user("alice", Optional.of("acme"))).register("bob", user("bob", Optional.empty()));
            RecordingConnection aliceConnection = new RecordingConnection();
            ClientSession alice = herald.gateway.open(aliceConnection, Optional.of("alice"), Optional.empty(), Optional.empty());
            RecordingConnection bobConnection = new RecordingConnection();
            ClientSession bob = herald.gateway.open(bobConnection, Optional.of("bob"), Optional.empty(), Optional.empty());
            Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);

            // when
            herald.gateway.onFrame(alice, new ClientFrame.Command(ChannelName.of("diagnosis", "42"), "cancel", "{\"iteration\":3}", "c1"));
            herald.gateway.onFrame(bob, new ClientFrame.Command(ChannelName.of("diagnosis", "7"), "retry", "null", null));
            aliceConnection.await(Frames.ofType("accepted"), WAIT);
            bobConnection.await(Frames.ofType("accepted"), WAIT);

            // then: the worker reads both, in order, with exactly the documented fields
            List<Map.Entry<String, List<StreamEntry>>> read = worker.xreadGroup("workers", "worker-1",
                    XReadGroupParams.xReadGroupParams().count(10), Map.of(stream, StreamEntryID.UNRECEIVED_ENTRY));
            List<StreamEntry> entries = read.get(0).getValue();
            assertEquals(2, entries.size());
            Map<String, String> first = entries.get(0).getFields();
            assertEquals(Map.of("connectionId", alice.id(), "user", "alice", "tenant", "acme", "channel", "diagnosis:42",
                    "name", "cancel", "data", "{\"iteration\":3}", "ref", "c1", "ts", first.get("ts")), first);
            Instant ts = Instant.parse(first.get("ts"));
            assertTrue(!ts.isBefore(before) && !ts.isAfter(Instant.now()), "ts is the time of the command: " + ts);
            Map<String, String> second = entries.get(1).getFields();
            assertEquals(Map.of("connectionId", bob.id(), "user", "bob", "channel", "diagnosis:7", "name", "retry",
                    "data", "null", "ts", second.get("ts")), second, "no tenant and no ref when the client had none");
            assertEquals(2, observed.size());

            // and the worker acknowledges them
            assertEquals(2, worker.xack(stream, "workers", entries.get(0).getID(), entries.get(1).getID()));
            assertEquals(0, worker.xpending(stream, "workers").getTotal());
        }
    }

    @Test
    void aCommandTheApplicationRefusedNeverReachesTheStream() throws Exception {
        // given
        String stream = newStream();
        try (UnifiedJedis worker = redis();
             RedisCommandStream commands = new RedisCommandStream(url(), cluster(), stream, 1000, Clock.systemUTC());
             ApplicationHarness herald = new ApplicationHarness(new InMemoryBroker(), Clock.systemUTC(), Map.of())) {
            CommandRelay relay = new CommandRelay(commands);
            herald.onCommand(command -> {
                if (command.name().equals("forbidden")) {
                    throw new IllegalStateException("the application says no");
                }
                relay.relay(command);
            });
            herald.tokens.register("alice", user("alice", Optional.empty()));
            RecordingConnection connection = new RecordingConnection();
            ClientSession alice = herald.gateway.open(connection, Optional.of("alice"), Optional.empty(), Optional.empty());

            // when
            herald.gateway.onFrame(alice, new ClientFrame.Command(ChannelName.of("diagnosis", "42"), "forbidden", "null", "r1"));
            herald.gateway.onFrame(alice, new ClientFrame.Command(ChannelName.of("diagnosis", "42"), "cancel", "null", "r2"));
            connection.await(Frames.ofType("accepted"), WAIT);

            // then
            List<StreamEntry> entries = worker.xrange(stream, "-", "+");
            assertEquals(List.of("cancel"), entries.stream().map(e -> e.getFields().get("name")).toList());
        }
    }

    @Test
    void theStreamIsTrimmedToAboutItsMaximumLength() {
        // given
        String stream = newStream();
        int max = 50;
        try (UnifiedJedis jedis = redis();
             RedisCommandStream commands = new RedisCommandStream(url(), cluster(), stream, max, Clock.systemUTC())) {
            ClientCommand command = RedisCommandStreamTest.command(Optional.empty(), null);

            // when
            for (int i = 0; i < 1000; i++) {
                commands.append(command);
            }

            // then: approximate trimming drops whole internal nodes (100 entries each by default)
            long length = jedis.xlen(stream);
            assertTrue(length >= max && length <= max + 100, "the stream holds " + length + " entries");
        }
    }

    @Test
    void aZeroMaximumNeverTrims() {
        String stream = newStream();
        try (UnifiedJedis jedis = redis();
             RedisCommandStream commands = new RedisCommandStream(url(), cluster(), stream, 0, Clock.systemUTC())) {
            for (int i = 0; i < 300; i++) {
                commands.append(RedisCommandStreamTest.command(Optional.empty(), null));
            }

            assertEquals(300, jedis.xlen(stream));
        }
    }
}
