package dev.herald.infrastructure.broker.redis;

import dev.herald.application.PublishService;
import dev.herald.application.broker.Broker;
import dev.herald.application.config.HeraldConfig;
import dev.herald.application.config.Settings;
import dev.herald.application.security.AccessPolicy;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventDraft;
import dev.herald.domain.EventStore;
import dev.herald.domain.ForwardingEventStore;
import dev.herald.domain.EventType;
import dev.herald.domain.IdempotencyKey;
import dev.herald.domain.Sequence;
import dev.herald.infrastructure.persistence.jpa.HeraldDatabase;
import dev.herald.infrastructure.persistence.jpa.JpaEventStore;
import dev.herald.testing.SwitchableEventStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamConsumerInfo;
import redis.clients.jedis.resps.StreamEntry;
import redis.clients.jedis.resps.StreamGroupInfo;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ingest stream end to end without a server, on the Redis a subclass gives (one redis-server, or
 * a Redis Cluster): the JPA store on an H2 file database, and several ingest consumers standing for
 * Herald instances.
 * Every consumer's pending-entry takeover is shortened to one second so that crashes are quick to
 * show; everything else runs as in production.
 */
abstract class RedisIngestStreamContract {

    static final Duration DEADLINE = Duration.ofSeconds(30);
    /** Far above every wait of close(): only a hang fails it. */
    static final Duration HANG_GUARD = Duration.ofSeconds(30);
    private static final RedisIngestStream.Tuning FAST = new RedisIngestStream.Tuning(
            Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofMillis(200), 10, Duration.ofHours(1));

    @TempDir
    static Path dir;

    private static HeraldDatabase database;
    static EventStore jpa;
    private static HeraldConfig config;
    private static ExecutorService executor;

    private final RecordingBroker broker = new RecordingBroker();
    private final List<RedisIngestStream> instances = new ArrayList<>();
    final String stream = "herald:ingest:" + UUID.randomUUID();
    private final String rejected = stream + ":rejected";
    final String prefix = "it" + UUID.randomUUID().toString().substring(0, 8);

    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (logged) {
                logged.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void start() throws IOException {
        database = HeraldDatabase.open(new HeraldConfig.Database("jdbc:h2:file:" + dir.resolve("herald"), "", "", 10, Duration.ofSeconds(5)));
        jpa = new JpaEventStore(database.entityManagerFactory(), Clock.systemUTC());
        Map<String, String> settings = Map.of("herald.limits.max-frame-size", "1KiB", "herald.limits.max-pending-bytes", "4KiB");
        config = HeraldConfig.from(new Settings(key -> Optional.ofNullable(settings.get(key))));
        executor = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stop() throws IOException {
        executor.shutdownNow();
        if (database != null) {
            database.close();
        }
    }

    @AfterEach
    void closeInstances() throws IOException {
        Logger.getLogger(RedisIngestStream.class.getName()).removeHandler(capture);
        instances.forEach(RedisIngestStream::close);
    }

    /** {@code herald.redis.url} of the Redis under test. */
    protected abstract String url();

    /** Whether {@link #url()} names a node of a Redis Cluster. */
    protected abstract boolean cluster();

    /** A new client of that Redis, for the test to add and inspect entries; closed by the test. */
    protected abstract UnifiedJedis redis();

    // --- fixtures --------------------------------------------------------------------------------

    /** Events as the broker fanned them out, to show each goes out once. */
    private static final class RecordingBroker implements Broker {
        private final List<Event> published = new ArrayList<>();

        @Override
        public void listen(Listener listener) {
        }

        @Override
        public synchronized void publish(Event event) {
            published.add(event);
        }

        synchronized List<Event> published() {
            return List.copyOf(published);
        }

        @Override
        public void subscribe(ChannelName channel) {
        }

        @Override
        public void unsubscribe(ChannelName channel) {
        }

        @Override
        public boolean isConnected() {
            return true;
        }
    }

    /** An instance publishing through the given store (the shared database, possibly wrapped). */
    RedisIngestStream instance(String name, EventStore store) {
        PublishService publishing = new PublishService(new AccessPolicy(List.of()), store, broker, config);
        RedisIngestStream instance = new RedisIngestStream(url(), cluster(), stream, rejected, name,
                publishing, executor, FAST);
        instances.add(instance);
        instance.start();
        return instance;
    }

    ChannelName channel(int i) {
        return ChannelName.of("ingest", prefix + "-" + i);
    }

    static Map<String, String> entry(String key, ChannelName channel, String data) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("idempotencyKey", key);
        fields.put("channel", channel.value());
        fields.put("type", "order.updated");
        fields.put("data", data);
        return fields;
    }

    StreamEntryID add(UnifiedJedis jedis, Map<String, String> fields) {
        return jedis.xadd(stream, StreamEntryID.NEW_ENTRY, fields);
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + DEADLINE);
            }
            Thread.sleep(20);
        }
    }

    /** Herald's group, once an instance created it. */
    private Optional<StreamGroupInfo> group(UnifiedJedis jedis) {
        return jedis.xinfoGroups(stream).stream().filter(g -> g.getName().equals(RedisIngestStream.GROUP)).findFirst();
    }

    /** Until the group has been handed every entry up to {@code last} and acknowledged them all. */
    void awaitAllAcknowledged(StreamEntryID last) throws InterruptedException {
        try (UnifiedJedis jedis = redis()) {
            await(() -> group(jedis).filter(g -> g.getLastDeliveredId().compareTo(last) >= 0 && g.getPending() == 0).isPresent(),
                    "every entry up to " + last + " acknowledged");
        }
    }

    static List<String> data(List<Event> events) {
        return events.stream().map(Event::data).toList();
    }

    private static List<Long> seqs(List<Event> events) {
        return events.stream().map(e -> e.seq().value()).toList();
    }

    private static List<Long> range(long count) {
        return LongStream.rangeClosed(1, count).boxed().toList();
    }

    private List<String> loggedMessages() {
        synchronized (logged) {
            return logged.stream().map(r -> r.getMessage() == null ? "" : r.getMessage()).toList();
        }
    }

    // --- tests -------------------------------------------------------------------------------------

    @Test
    void twoInstancesPublishEachValidEntryExactlyOnceAndRefuseTheInvalidOnes() throws Exception {
        // given: 120 entries over 4 channels, a third of them added again later under the same key,
        // and 8 invalid ones (one of each kind); the first 40 are added before any instance runs
        int unique = 120;
        int channels = 4;
        Map<ChannelName, Set<String>> expected = new HashMap<>();
        Map<StreamEntryID, String> invalid = new LinkedHashMap<>();
        Logger.getLogger(RedisIngestStream.class.getName()).addHandler(capture);
        CountingStore a = new CountingStore(jpa);
        CountingStore b = new CountingStore(jpa);
        StreamEntryID last;
        try (UnifiedJedis jedis = redis()) {
            for (int i = 0; i < 40; i++) {
                addNumbered(jedis, i, channels, expected);
            }

            // when: two instances run while the rest arrives
            instance("instance-a", a);
            instance("instance-b", b);
            for (int i = 40; i < unique; i++) {
                addNumbered(jedis, i, channels, expected);
                if (i % 10 == 0) {
                    addInvalid(jedis, invalid.size(), invalid);
                }
            }
            for (int i = 0; i < unique; i += 3) {
                addNumbered(jedis, i, channels, expected); // a publisher repeating itself
            }
            last = add(jedis, entry(prefix + "-marker", channel(0), "{\"marker\":true}"));
            expected.get(channel(0)).add("{\"marker\":true}");
        }
        awaitAllAcknowledged(last);

        // then: every channel holds its unique entries once, numbered 1..n
        int total = 0;
        for (int c = 0; c < channels; c++) {
            List<Event> stored = jpa.read(channel(c), Sequence.ZERO, 1000);
            assertEquals(range(stored.size()), seqs(stored), "sequence of " + channel(c));
            assertEquals(stored.size(), new HashSet<>(data(stored)).size(), "an entry stored twice on " + channel(c));
            assertEquals(expected.get(channel(c)), new HashSet<>(data(stored)), "events of " + channel(c));
            total += stored.size();
        }
        assertEquals(unique + 1, total);
        assertTrue(a.calls.get() > 0 && b.calls.get() > 0,
                "both instances took part: " + a.calls.get() + " and " + b.calls.get() + " publishes tried");

        // and each went out to the broker once
        List<Event> fannedOut = broker.published();
        assertEquals(unique + 1, fannedOut.size());
        assertEquals(unique + 1, fannedOut.stream().map(e -> e.channel() + "/" + e.seq()).distinct().count());

        // and each invalid entry is acknowledged and recorded with its code, never its data
        try (UnifiedJedis jedis = redis()) {
            List<StreamEntry> records = jedis.xrange(rejected, "-", "+");
            Map<StreamEntryID, String> recorded = new LinkedHashMap<>();
            for (StreamEntry r : records) {
                recorded.put(new StreamEntryID(r.getFields().get("id")), r.getFields().get("code"));
                assertTrue(r.getFields().keySet().stream().allMatch(Set.of("id", "code", "reason", "idempotencyKey", "consumer", "ts")::contains),
                        r.getFields().toString());
                assertFalse(r.getFields().toString().contains("s3cr3t"), r.getFields().toString());
            }
            assertEquals(invalid, recorded);
            assertEquals(0, jedis.xpending(stream, RedisIngestStream.GROUP).getTotal());
        }
        List<String> messages = loggedMessages();
        assertTrue(messages.stream().anyMatch(m -> m.contains("refused entry")), messages.toString());
        assertTrue(messages.stream().noneMatch(m -> m.contains("s3cr3t")), "entry data is never logged");
    }

    private void addNumbered(UnifiedJedis jedis, int i, int channels, Map<ChannelName, Set<String>> expected) {
        ChannelName channel = channel(i % channels);
        String data = "{\"n\":" + i + "}";
        add(jedis, entry(prefix + "-k" + i, channel, data));
        expected.computeIfAbsent(channel, c -> new HashSet<>()).add(data);
    }

    private void addInvalid(UnifiedJedis jedis, int which, Map<StreamEntryID, String> invalid) {
        ChannelName channel = channel(0);
        String secret = "{\"password\":\"s3cr3t\"";
        Map<String, String> fields;
        String code;
        switch (which % 8) {
            case 0 -> {
                fields = entry(prefix + "-bad-" + which, channel, secret);
                code = "bad_json";
            }
            case 1 -> {
                fields = entry(prefix + "-bad-" + which, channel, "{}");
                fields.remove("idempotencyKey");
                code = "missing_field";
            }
            case 2 -> {
                fields = entry(prefix + "-bad-" + which, channel, "{}");
                fields.put("channel", "Not A Channel");
                code = "invalid_channel";
            }
            case 3 -> {
                fields = entry(prefix + "-bad-" + which, channel, "{}");
                fields.put("type", "welcome");
                code = "reserved_event_type";
            }
            case 4 -> {
                fields = entry(prefix + "-bad-" + which, channel, "\"" + "s3cr3t".repeat(200) + "\"");
                code = "payload_too_large";
            }
            case 5 -> {
                fields = entry(prefix + "-bad-\n-" + which, channel, "{}");
                code = "invalid_field";
            }
            case 6 -> {
                fields = entry(prefix + "-bad-" + which, channel, "{}");
                fields.remove("type");
                code = "missing_field";
            }
            default -> {
                fields = entry(prefix + "-bad-" + which, channel, "{}");
                fields.put("correlationId", "c".repeat(129));
                code = "invalid_field";
            }
        }
        invalid.put(add(jedis, fields), code);
    }

    @Test
    void aRejectedStreamRedisRefusesDoesNotHoldUpTheIngestStream() throws Exception {
        // given: someone put a plain string where the rejected stream belongs
        ChannelName channel = channel(7);
        StreamEntryID last;
        try (UnifiedJedis jedis = redis()) {
            jedis.set(rejected, "not a stream");
            Map<String, String> invalid = entry(prefix + "-bad", channel, "{");
            add(jedis, invalid);
            last = add(jedis, entry(prefix + "-good", channel, "{\"good\":true}"));
        }

        // when
        instance("instance-a", jpa);

        // then: the invalid entry is refused all the same, and the next one published
        awaitAllAcknowledged(last);
        assertEquals(List.of("{\"good\":true}"), data(jpa.read(channel, Sequence.ZERO, 10)));
    }

    @Test
    void oneInstancePublishesAChannelsEntriesInStreamOrder() throws Exception {
        // given
        instance("solo", jpa);
        StreamEntryID last = null;

        // when
        try (UnifiedJedis jedis = redis()) {
            for (int i = 1; i <= 30; i++) {
                last = add(jedis, entry(prefix + "-k" + i, channel(1), "{\"n\":" + i + "}"));
            }
        }
        awaitAllAcknowledged(last);

        // then
        List<Event> stored = jpa.read(channel(1), Sequence.ZERO, 100);
        List<String> inOrder = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            inOrder.add("{\"n\":" + i + "}");
        }
        assertEquals(inOrder, data(stored));
        assertEquals(range(30), seqs(stored));
    }

    @Test
    void entriesPendingWithAStoppedInstanceAreTakenOverAndPublishedOnce() throws Exception {
        // given: an instance read six entries and stopped without acknowledging them; it had
        // committed two of them already (a crash between commit and XACK)
        ChannelName channel = channel(2);
        try (UnifiedJedis jedis = redis()) {
            jedis.xgroupCreate(stream, RedisIngestStream.GROUP, new StreamEntryID(0, 0), true);
            for (int i = 1; i <= 6; i++) {
                add(jedis, entry(prefix + "-k" + i, channel, "{\"n\":" + i + "}"));
            }
            List<Map.Entry<String, List<StreamEntry>>> read = jedis.xreadGroup(RedisIngestStream.GROUP, "crashed",
                    XReadGroupParams.xReadGroupParams().count(10), Map.of(stream, StreamEntryID.UNRECEIVED_ENTRY));
            assertEquals(6, read.get(0).getValue().size());
        }
        PublishService crashed = new PublishService(new AccessPolicy(List.of()), jpa, broker, config);
        EventType type = new EventType("order.updated");
        crashed.publishOnce(channel, new EventDraft(type, "{\"n\":2}", null), new IdempotencyKey(prefix + "-k2")).orElseThrow();
        crashed.publishOnce(channel, new EventDraft(type, "{\"n\":5}", null), new IdempotencyKey(prefix + "-k5")).orElseThrow();

        // when: another instance runs
        instance("survivor", jpa);

        // then: it takes the six over once they are idle, and publishes the four that were not yet stored
        try (UnifiedJedis jedis = redis()) {
            await(() -> jedis.xpending(stream, RedisIngestStream.GROUP).getTotal() == 0, "the stopped instance's entries acknowledged");
            Map<String, Long> pendingByConsumer = new HashMap<>();
            for (StreamConsumerInfo c : jedis.xinfoConsumers2(stream, RedisIngestStream.GROUP)) {
                pendingByConsumer.put(c.getName(), c.getPending());
            }
            assertEquals(0L, pendingByConsumer.get("crashed"));
        }
        List<Event> stored = jpa.read(channel, Sequence.ZERO, 100);
        assertEquals(range(6), seqs(stored));
        assertEquals(Set.of("{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}", "{\"n\":5}", "{\"n\":6}"), new HashSet<>(data(stored)));
        assertEquals(6, broker.published().size(), "two by the crashed instance, four by the survivor");
    }

    @Test
    void anEntryTrimmedWhilePendingIsAcknowledgedWithoutBeingPublishedOrRefused() throws Exception {
        // given: a stopped instance left two entries pending, and one of them was deleted since
        ChannelName channel = channel(6);
        try (UnifiedJedis jedis = redis()) {
            jedis.xgroupCreate(stream, RedisIngestStream.GROUP, new StreamEntryID(0, 0), true);
            StreamEntryID deleted = add(jedis, entry(prefix + "-gone", channel, "{\"gone\":true}"));
            add(jedis, entry(prefix + "-kept", channel, "{\"kept\":true}"));
            jedis.xreadGroup(RedisIngestStream.GROUP, "crashed", XReadGroupParams.xReadGroupParams().count(10),
                    Map.of(stream, StreamEntryID.UNRECEIVED_ENTRY));
            jedis.xdel(stream, deleted);
        }

        // when
        instance("survivor", jpa);

        // then
        try (UnifiedJedis jedis = redis()) {
            await(() -> jedis.xpending(stream, RedisIngestStream.GROUP).getTotal() == 0, "both entries acknowledged");
            assertFalse(jedis.exists(rejected), "a deleted entry is not a refused one");
        }
        assertEquals(List.of("{\"kept\":true}"), data(jpa.read(channel, Sequence.ZERO, 10)));
    }

    @Test
    void anInstanceKilledWhilePublishingIsTakenOverAndItsLatePublishIsDropped() throws Exception {
        // given: instance A hangs inside the database call of its first entry
        ChannelName channel = channel(3);
        StalledStore stalled = new StalledStore(jpa);
        RedisIngestStream a = instance("instance-a", stalled);
        StreamEntryID last = null;
        try (UnifiedJedis jedis = redis()) {
            for (int i = 1; i <= 3; i++) {
                last = add(jedis, entry(prefix + "-k" + i, channel, "{\"n\":" + i + "}"));
            }
        }
        assertTrue(stalled.entered.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS), "instance A started publishing");

        // when: A is stopped (its thread stays stuck), and B runs
        assertTimeoutPreemptively(HANG_GUARD, a::close, "close returns though A's thread is stuck");
        assertFalse(a.loopEnded(), "A's loop is still stuck in the database call");
        instance("instance-b", jpa);
        awaitAllAcknowledged(last);

        // then: B published all three once
        assertEquals(range(3), seqs(jpa.read(channel, Sequence.ZERO, 100)));

        // when: A's stuck database call goes through after all
        stalled.release.countDown();
        assertTrue(stalled.finished.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS), "instance A's call returned");

        // then: its key was taken, so nothing is stored or fanned out twice
        assertEquals(Optional.empty(), stalled.result);
        assertEquals(range(3), seqs(jpa.read(channel, Sequence.ZERO, 100)));
        assertEquals(3, broker.published().size());
    }

    /** A store whose first appendOnce hangs until released, as a stuck database call would. */
    private static final class StalledStore extends ForwardingEventStore {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch finished = new CountDownLatch(1);
        volatile Optional<Event> result;

        StalledStore(EventStore delegate) {
            super(delegate);
        }

        @Override
        public Optional<Event> appendOnce(ChannelName channel, EventDraft draft, IdempotencyKey key) {
            if (entered.getCount() == 0) {
                return super.appendOnce(channel, draft, key);
            }
            entered.countDown();
            try {
                if (!release.await(DEADLINE.toMillis() * 2, TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            result = super.appendOnce(channel, draft, key);
            finished.countDown();
            return result;
        }
    }

    @Test
    void entriesWaitPendingWhileTheDatabaseIsDownAndArePublishedInOrderWhenItReturns() throws Exception {
        // given
        ChannelName channel = channel(4);
        SwitchableEventStore store = new SwitchableEventStore(jpa);
        store.down();
        instance("instance-a", store);
        StreamEntryID last = null;

        // when
        try (UnifiedJedis jedis = redis()) {
            for (int i = 1; i <= 5; i++) {
                last = add(jedis, entry(prefix + "-k" + i, channel, "{\"n\":" + i + "}"));
            }
            // While the store is down the consumer retries what it holds and reads nothing new, so
            // how many of the five it read before the first failure depends on timing: at least one.
            await(() -> group(jedis).filter(g -> g.getPending() >= 1).isPresent(), "entries read and held pending");
        }

        // then: nothing stored, nothing acknowledged
        assertEquals(Sequence.ZERO, jpa.head(channel));

        // when
        store.up();

        // then
        awaitAllAcknowledged(last);
        assertEquals(List.of("{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}", "{\"n\":5}"), data(jpa.read(channel, Sequence.ZERO, 100)));
    }

    /** Counts the exactly-once appends an instance tries, repeats included. */
    private static final class CountingStore extends ForwardingEventStore {
        final AtomicInteger calls = new AtomicInteger();

        CountingStore(EventStore delegate) {
            super(delegate);
        }

        @Override
        public Optional<Event> appendOnce(ChannelName channel, EventDraft draft, IdempotencyKey key) {
            calls.incrementAndGet();
            return super.appendOnce(channel, draft, key);
        }
    }

}
