package dev.herald.domain;

import dev.herald.testing.Concurrently;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What every {@link EventStore} must do, run against each implementation by a subclass.
 *
 * <p>Implementations may share one database between tests: every test works on channels of its own
 * ({@link #newChannel()}), so no test sees another's data and the order of tests does not matter.
 */
public abstract class EventStoreContract {

    /** Generous for 400 appends on two cores; a deadlock or lock wait fails instead of hanging. */
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final int ALL = 10_000;
    private static final EventType TYPE = new EventType("contract.test");

    protected EventStore store;

    /** A store to test; it may hold other tests' channels, never this test's. */
    protected abstract EventStore newStore();

    @BeforeEach
    void createStore() {
        store = newStore();
    }

    protected static ChannelName newChannel() {
        return ChannelName.of("contract", "ch-" + UUID.randomUUID());
    }

    private static EventDraft draft(String data) {
        return new EventDraft(TYPE, data, null);
    }

    private Event append(ChannelName channel, String data) {
        return store.append(channel, draft(data));
    }

    private void appendNumbered(ChannelName channel, int count) {
        for (int i = 1; i <= count; i++) {
            append(channel, "{\"n\":" + i + "}");
        }
    }

    private static List<Long> seqs(List<Event> events) {
        return events.stream().map(e -> e.seq().value()).toList();
    }

    private static List<Long> range(long fromInclusive, long toInclusive) {
        return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().toList();
    }

    // --- numbering ---------------------------------------------------------------------------

    @Test
    void numbersAChannelsEventsOneTwoThreeWithoutGaps() {
        // given
        ChannelName channel = newChannel();

        // when
        Event first = append(channel, "{\"n\":1}");
        Event second = append(channel, "{\"n\":2}");
        Event third = append(channel, "{\"n\":3}");

        // then
        assertEquals(Sequence.of(1), first.seq());
        assertEquals(Sequence.of(2), second.seq());
        assertEquals(Sequence.of(3), third.seq());
    }

    @Test
    void numbersEachChannelIndependently() {
        // given
        ChannelName a = newChannel();
        ChannelName b = newChannel();
        appendNumbered(a, 3);

        // when
        Event firstOfB = append(b, "{\"n\":1}");
        Event fourthOfA = append(a, "{\"n\":4}");

        // then
        assertEquals(Sequence.of(1), firstOfB.seq());
        assertEquals(Sequence.of(4), fourthOfA.seq());
        assertEquals(List.of(1L, 2L, 3L, 4L), seqs(store.read(a, Sequence.ZERO, ALL)));
        assertEquals(List.of(1L), seqs(store.read(b, Sequence.ZERO, ALL)));
        assertTrue(store.read(b, Sequence.ZERO, ALL).stream().allMatch(e -> e.channel().equals(b)),
                "events read from a channel carry that channel");
    }

    // --- head --------------------------------------------------------------------------------

    @Test
    void headOfAChannelNeverPublishedToIsZero() {
        assertEquals(Sequence.ZERO, store.head(newChannel()));
    }

    @Test
    void headIsTheLastAppendedSequence() {
        // given
        ChannelName channel = newChannel();
        ChannelName other = newChannel();
        appendNumbered(other, 7);

        // when
        append(channel, "{}");
        Sequence afterOne = store.head(channel);
        appendNumbered(channel, 4);
        Sequence afterFive = store.head(channel);

        // then
        assertEquals(Sequence.of(1), afterOne);
        assertEquals(Sequence.of(5), afterFive);
        assertEquals(Sequence.of(7), store.head(other));
    }

    // --- read --------------------------------------------------------------------------------

    @Test
    void readReturnsEventsStrictlyAfterThePositionInAscendingOrder() {
        // given
        ChannelName channel = newChannel();
        appendNumbered(channel, 6);

        // when
        List<Event> fromStart = store.read(channel, Sequence.ZERO, ALL);
        List<Event> afterThree = store.read(channel, Sequence.of(3), ALL);
        List<Event> afterHead = store.read(channel, Sequence.of(6), ALL);
        List<Event> beyondHead = store.read(channel, Sequence.of(60), ALL);

        // then
        assertEquals(range(1, 6), seqs(fromStart));
        assertEquals(List.of(4L, 5L, 6L), seqs(afterThree));
        assertEquals("{\"n\":4}", afterThree.get(0).data());
        assertEquals(List.of(), afterHead);
        assertEquals(List.of(), beyondHead);
    }

    @Test
    void readReturnsAtMostLimitEvents() {
        // given
        ChannelName channel = newChannel();
        appendNumbered(channel, 10);

        // when
        List<Event> firstFour = store.read(channel, Sequence.ZERO, 4);
        List<Event> oneAfterFive = store.read(channel, Sequence.of(5), 1);
        List<Event> lastTwoOfMore = store.read(channel, Sequence.of(8), 5);

        // then
        assertEquals(List.of(1L, 2L, 3L, 4L), seqs(firstFour));
        assertEquals(List.of(6L), seqs(oneAfterFive));
        assertEquals(List.of(9L, 10L), seqs(lastTwoOfMore));
    }

    @Test
    void pagingFromZeroVisitsEveryEventExactlyOnce() {
        // given
        ChannelName channel = newChannel();
        appendNumbered(channel, 23);

        // when: each page starts after the last event of the one before, as a replaying client does
        List<Event> seen = new ArrayList<>();
        Sequence position = Sequence.ZERO;
        int pages = 0;
        while (pages < 100) {
            List<Event> page = store.read(channel, position, 5);
            pages++;
            if (page.isEmpty()) {
                break;
            }
            seen.addAll(page);
            position = page.get(page.size() - 1).seq();
        }

        // then: pages of 5, 5, 5, 5, 3, then an empty one
        assertEquals(6, pages);
        assertEquals(range(1, 23), seqs(seen));
        for (int i = 0; i < seen.size(); i++) {
            assertEquals("{\"n\":" + (i + 1) + "}", seen.get(i).data());
        }
    }

    @Test
    void readOfAChannelNeverPublishedToIsEmpty() {
        assertEquals(List.of(), store.read(newChannel(), Sequence.ZERO, ALL));
    }

    // --- earliest ----------------------------------------------------------------------------

    @Test
    void earliestIsEmptyUntilTheFirstAppendThenOne() {
        // given
        ChannelName channel = newChannel();
        Optional<Sequence> before = store.earliest(channel);

        // when
        appendNumbered(channel, 3);

        // then
        assertEquals(Optional.empty(), before);
        assertEquals(Optional.of(Sequence.of(1)), store.earliest(channel));
    }

    // --- what is stored is what is read ------------------------------------------------------

    @Test
    void appendReturnsExactlyTheEventThatReadReturnsLater() {
        // given
        ChannelName channel = newChannel();
        EventDraft withCorrelation = new EventDraft(new EventType("order.shipped"), "{\"order\":42,\"items\":[1,2]}", "req-7f3a");
        EventDraft withoutCorrelation = new EventDraft(new EventType("order.paid"), "{\"order\":42}", null);
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);

        // when
        Event first = store.append(channel, withCorrelation);
        Event second = store.append(channel, withoutCorrelation);
        Instant after = Instant.now();
        List<Event> read = store.read(channel, Sequence.ZERO, ALL);

        // then
        assertEquals(List.of(first, second), read);
        assertEquals(channel, first.channel());
        assertEquals(new EventType("order.shipped"), first.type());
        assertEquals("{\"order\":42,\"items\":[1,2]}", first.data());
        assertEquals("req-7f3a", read.get(0).correlationId());
        assertNull(read.get(1).correlationId());
        for (Event e : read) {
            // Millisecond precision, so that what is sent live is exactly what a replay reads back.
            assertEquals(e.ts().truncatedTo(ChronoUnit.MILLIS), e.ts(), "timestamp has sub-millisecond digits");
            assertTrue(!e.ts().isBefore(before) && !e.ts().isAfter(after),
                    "timestamp " + e.ts() + " is not the time of the append, between " + before + " and " + after);
        }
    }

    @Test
    void unicodeDataRoundTripsExactly() {
        // given: characters outside Latin-1, outside the BMP (surrogate pairs), combining marks, RTL,
        // and JSON escapes that must stay escapes
        ChannelName channel = newChannel();
        String data = "{\"text\":\"Grüße, Ελληνικά, 日本語, עברית, ✓ 🎉👩‍💻, e\u0301, "
                + "quote \\\" backslash \\\\ nul \\u0000 tab \\t\",\"emoji\":\"𝄞\"}";

        // when
        Event appended = append(channel, data);
        List<Event> read = store.read(channel, Sequence.ZERO, ALL);

        // then
        assertEquals(data, appended.data());
        assertEquals(1, read.size());
        assertEquals(data, read.get(0).data());
        assertEquals(data.length(), read.get(0).data().length());
    }

    @Test
    void sixtyKilobytesOfDataRoundTripExactly() {
        // given
        ChannelName channel = newChannel();
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 60 * 1024; i++) {
            text.append("line ").append(i).append(": ünïcödé ✓ 🎉 ").append(Integer.toHexString(i * 7919)).append(' ');
        }
        String data = "{\"blob\":\"" + text + "\"}";

        // when
        append(channel, data);
        Event read = store.read(channel, Sequence.ZERO, 1).get(0);

        // then
        assertTrue(data.length() >= 60 * 1024);
        assertEquals(data.length(), read.data().length());
        assertEquals(data, read.data());
    }

    // --- concurrency -------------------------------------------------------------------------

    @Test
    void concurrentAppendsToOneChannelGetEverySequenceExactlyOnce() throws InterruptedException {
        // given
        ChannelName channel = newChannel();
        int threads = 8;
        int perThread = 50;

        // when
        List<List<Event>> appendedByThread = Concurrently.run(threads, DEADLINE, t -> {
            List<Event> appended = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                appended.add(append(channel, "{\"thread\":" + t + ",\"i\":" + i + "}"));
            }
            return appended;
        });

        // then: the sequences handed out are 1..400, each once
        Map<Long, Event> bySeq = new HashMap<>();
        for (List<Event> appended : appendedByThread) {
            for (Event e : appended) {
                Event duplicate = bySeq.put(e.seq().value(), e);
                assertNull(duplicate, () -> "sequence " + e.seq() + " given to two appends");
            }
            // One thread's appends are ordered, so its sequences increase.
            assertEquals(seqs(appended).stream().sorted().toList(), seqs(appended));
        }
        assertEquals(range(1, threads * perThread), bySeq.keySet().stream().sorted().toList());

        // and the store holds exactly those events
        List<Event> read = store.read(channel, Sequence.ZERO, ALL);
        assertEquals(range(1, threads * perThread), seqs(read));
        for (Event e : read) {
            assertEquals(bySeq.get(e.seq().value()), e);
        }
        assertEquals(Sequence.of(threads * perThread), store.head(channel));
    }

    @Test
    void concurrentAppendsToDifferentChannelsDoNotInterfere() throws InterruptedException {
        // given
        int threads = 4;
        int perThread = 50;
        List<ChannelName> channels = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            channels.add(newChannel());
        }

        // when
        Concurrently.run(threads, DEADLINE, t -> {
            for (int i = 1; i <= perThread; i++) {
                Event e = append(channels.get(t), "{\"thread\":" + t + ",\"i\":" + i + "}");
                assertEquals(Sequence.of(i), e.seq(), "sequence on the thread's own channel");
            }
            return null;
        });

        // then
        for (int t = 0; t < threads; t++) {
            List<Event> read = store.read(channels.get(t), Sequence.ZERO, ALL);
            assertEquals(range(1, perThread), seqs(read));
            for (Event e : read) {
                assertEquals("{\"thread\":" + t + ",\"i\":" + e.seq().value() + "}", e.data());
            }
            assertEquals(Sequence.of(perThread), store.head(channels.get(t)));
        }
    }

    @Test
    void appendsBecomeVisibleInSequenceOrder() throws Exception {
        // given: four writers on one channel, and a reader that wants to look at it while it grows
        ChannelName channel = newChannel();
        int writers = 4;
        int maxPerWriter = 250;
        int wantedChecks = 50;
        AtomicInteger checksOfNonEmptyChannel = new AtomicInteger();
        AtomicInteger appended = new AtomicInteger();
        AtomicBoolean writing = new AtomicBoolean(true);
        CyclicBarrier start = new CyclicBarrier(writers + 1);
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        try {
            // when: the reader reads the head, then the history: every event up to that head must be there
            Future<Integer> reader = pool.submit(() -> {
                start.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
                int checks = 0;
                // Once more after the writers are done if it never caught them, so it always sees events.
                while ((writing.get() || checksOfNonEmptyChannel.get() == 0) && System.nanoTime() < deadline) {
                    if (assertNoHoleUpToHead(channel).isAfter(Sequence.ZERO)) {
                        checksOfNonEmptyChannel.incrementAndGet();
                    }
                    checks++;
                }
                return checks;
            });
            // and the writers append until the reader has looked often enough, or failed, or they reach a bound
            List<Future<?>> writerTasks = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                List<EventDraft> drafts = new ArrayList<>();
                for (int i = 0; i < maxPerWriter; i++) {
                    drafts.add(draft("{\"writer\":" + w + ",\"i\":" + i + "}"));
                }
                writerTasks.add(pool.submit(() -> {
                    start.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
                    for (int i = 0; i < maxPerWriter && checksOfNonEmptyChannel.get() < wantedChecks
                            && !reader.isDone() && System.nanoTime() < deadline; i++) {
                        store.append(channel, drafts.get(i));
                        appended.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> writer : writerTasks) {
                await(writer, deadline);
            }
            writing.set(false);
            int checks = await(reader, deadline);

            // then: the reader saw the channel with events in it, and the final history is complete
            assertTrue(checks > 0 && checksOfNonEmptyChannel.get() > 0,
                    "the reader never saw the channel with events in it (" + checks + " checks)");
            assertEquals(range(1, appended.get()), seqs(store.read(channel, Sequence.ZERO, ALL)));
            assertEquals(Sequence.of(appended.get()), store.head(channel));
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(DEADLINE.toSeconds(), TimeUnit.SECONDS), "threads still running");
        }
    }

    @Test
    void anAppendIsVisibleToEveryReadThatStartsAfterItReturns() throws InterruptedException {
        // given: readers polling a channel while an event is appended to it, the way subscribers
        // replaying history race with a publisher; a read that merely overlapped the commit may miss
        // the event, but no read that starts after append() returned may
        int rounds = 50;
        int readers = 3;
        int readsAfterAppend = 3;
        List<String> stale = new ArrayList<>();

        for (int round = 0; round < rounds; round++) {
            ChannelName channel = newChannel();
            append(channel, "{\"n\":1}");
            AtomicBoolean returned = new AtomicBoolean();
            long deadline = System.nanoTime() + DEADLINE.toNanos();

            // when
            List<List<Integer>> seenAfterAppend = Concurrently.run(readers + 1, DEADLINE, t -> {
                List<Integer> seen = new ArrayList<>();
                if (t == readers) {
                    append(channel, "{\"n\":2}");
                    returned.set(true);
                    return seen;
                }
                while (seen.size() < readsAfterAppend && System.nanoTime() < deadline) {
                    boolean after = returned.get();
                    int size = store.read(channel, Sequence.ZERO, ALL).size();
                    if (after) {
                        seen.add(size);
                    }
                }
                return seen;
            });

            // then
            for (int t = 0; t < readers; t++) {
                if (!seenAfterAppend.get(t).equals(Collections.nCopies(readsAfterAppend, 2))) {
                    stale.add("round " + round + " reader " + t + " saw " + seenAfterAppend.get(t) + " events");
                }
            }
        }
        assertEquals(List.of(), stale, "reads after append() returned that missed the event");
    }

    // --- exactly once -------------------------------------------------------------------------

    private static IdempotencyKey newKey() {
        return new IdempotencyKey("key-" + UUID.randomUUID());
    }

    @Test
    void appendOnceStoresTheEventAsTheChannelsNextOne() {
        // given
        ChannelName channel = newChannel();
        append(channel, "{\"n\":1}");

        // when
        Optional<Event> appended = store.appendOnce(channel, new EventDraft(TYPE, "{\"n\":2}", "req-1"), newKey());

        // then
        assertTrue(appended.isPresent());
        assertEquals(Sequence.of(2), appended.get().seq());
        assertEquals(List.of(appended.get()), store.read(channel, Sequence.of(1), ALL));
        assertEquals(Sequence.of(2), store.head(channel));
    }

    @Test
    void aRepeatedKeyStoresNothingAndReturnsEmpty() {
        // given
        ChannelName channel = newChannel();
        IdempotencyKey key = newKey();
        Event first = store.appendOnce(channel, draft("{\"n\":1}"), key).orElseThrow();

        // when: the same publish again, and one with other data under the same key
        Optional<Event> again = store.appendOnce(channel, draft("{\"n\":1}"), key);
        Optional<Event> otherData = store.appendOnce(channel, draft("{\"n\":99}"), key);

        // then
        assertEquals(Optional.empty(), again);
        assertEquals(Optional.empty(), otherData);
        assertEquals(List.of(first), store.read(channel, Sequence.ZERO, ALL));
        assertEquals(Sequence.of(1), store.head(channel), "a dropped publish takes no sequence");
    }

    @Test
    void aKeyIsTakenOnEveryChannelOnceUsed() {
        // given
        ChannelName first = newChannel();
        ChannelName second = newChannel();
        IdempotencyKey key = newKey();
        store.appendOnce(first, draft("{}"), key).orElseThrow();

        // when
        Optional<Event> elsewhere = store.appendOnce(second, draft("{}"), key);

        // then
        assertEquals(Optional.empty(), elsewhere);
        assertEquals(List.of(), store.read(second, Sequence.ZERO, ALL));
        assertEquals(Sequence.ZERO, store.head(second));
    }

    @Test
    void appendAndAppendOnceShareTheChannelsNumbering() {
        // given
        ChannelName channel = newChannel();

        // when
        Event one = append(channel, "{\"n\":1}");
        Event two = store.appendOnce(channel, draft("{\"n\":2}"), newKey()).orElseThrow();
        Event three = append(channel, "{\"n\":3}");
        Event four = store.appendOnce(channel, draft("{\"n\":4}"), newKey()).orElseThrow();

        // then
        assertEquals(List.of(one, two, three, four), store.read(channel, Sequence.ZERO, ALL));
    }

    @Test
    void keysDifferingOnlyInCaseOrUnicodeAreDifferentKeys() {
        // given
        ChannelName channel = newChannel();
        String base = "order-" + UUID.randomUUID();

        // when
        Optional<Event> lower = store.appendOnce(channel, draft("{}"), new IdempotencyKey(base + "-a"));
        Optional<Event> upper = store.appendOnce(channel, draft("{}"), new IdempotencyKey(base + "-A"));
        Optional<Event> accented = store.appendOnce(channel, draft("{}"), new IdempotencyKey(base + "-\u00e4"));
        Optional<Event> accentedAgain = store.appendOnce(channel, draft("{}"), new IdempotencyKey(base + "-\u00e4"));

        // then
        assertTrue(lower.isPresent() && upper.isPresent() && accented.isPresent());
        assertEquals(Optional.empty(), accentedAgain);
        assertEquals(Sequence.of(3), store.head(channel));
    }

    @Test
    void aKeyOfTheLongestAllowedLengthIsKept() {
        // given
        ChannelName channel = newChannel();
        String unique = UUID.randomUUID().toString();
        IdempotencyKey longest = new IdempotencyKey(unique + "x".repeat(IdempotencyKey.MAX_LENGTH - unique.length()));

        // when
        Optional<Event> first = store.appendOnce(channel, draft("{}"), longest);
        Optional<Event> second = store.appendOnce(channel, draft("{}"), new IdempotencyKey(longest.value()));

        // then
        assertTrue(first.isPresent());
        assertEquals(Optional.empty(), second);
    }

    @Test
    void concurrentAppendOnceOfOneKeyStoresOneEvent() throws InterruptedException {
        // given: several instances receiving the same publish at once, on one channel
        ChannelName channel = newChannel();
        IdempotencyKey key = newKey();
        int threads = 8;

        // when
        List<Optional<Event>> results = Concurrently.run(threads, DEADLINE,
                t -> store.appendOnce(channel, draft("{\"thread\":" + t + "}"), key));

        // then: exactly one stored, and it is what the store holds
        List<Event> stored = results.stream().flatMap(Optional::stream).toList();
        assertEquals(1, stored.size(), () -> "stored by " + stored.size() + " threads: " + results);
        assertEquals(stored, store.read(channel, Sequence.ZERO, ALL));
        assertEquals(Sequence.of(1), store.head(channel));
    }

    @Test
    void concurrentAppendOnceOfOneKeyOnDifferentChannelsStoresOneEvent() throws InterruptedException {
        // given: one key, each thread on a channel of its own (new channels, so rows are created too)
        IdempotencyKey key = newKey();
        int threads = 6;
        List<ChannelName> channels = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            channels.add(newChannel());
        }

        // when
        List<Optional<Event>> results = Concurrently.run(threads, DEADLINE,
                t -> store.appendOnce(channels.get(t), draft("{}"), key));

        // then
        assertEquals(1, results.stream().filter(Optional::isPresent).count(), results::toString);
        long storedEvents = channels.stream().mapToLong(c -> store.read(c, Sequence.ZERO, ALL).size()).sum();
        assertEquals(1, storedEvents);
    }

    @Test
    void concurrentRepeatsOfManyKeysStoreEachOnceWithoutGaps() throws InterruptedException {
        // given: every thread publishes the same 40 keys, in its own order, to one channel
        ChannelName channel = newChannel();
        int threads = 4;
        List<IdempotencyKey> keys = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            keys.add(newKey());
        }

        // when
        List<List<Event>> storedByThread = Concurrently.run(threads, DEADLINE, t -> {
            List<IdempotencyKey> order = new ArrayList<>(keys);
            Collections.rotate(order, t * 10);
            List<Event> stored = new ArrayList<>();
            for (IdempotencyKey key : order) {
                store.appendOnce(channel, draft("{\"key\":\"" + key.value() + "\"}"), key).ifPresent(stored::add);
            }
            return stored;
        });

        // then: one event per key, numbered 1..40
        List<Event> stored = storedByThread.stream().flatMap(List::stream).toList();
        assertEquals(keys.size(), stored.size());
        assertEquals(keys.size(), stored.stream().map(Event::data).distinct().count(), "a key stored twice");
        assertEquals(range(1, keys.size()), seqs(store.read(channel, Sequence.ZERO, ALL)));
    }

    // --- batches -------------------------------------------------------------------------------

    private static EventStore.Append appendOf(ChannelName channel, String data, IdempotencyKey key) {
        return new EventStore.Append(channel, draft(data), key);
    }

    @Test
    void aBatchGivesEachChannelConsecutiveSequencesInBatchOrder() {
        // given
        ChannelName a = newChannel();
        ChannelName b = newChannel();
        append(a, "{\"before\":1}");

        // when
        List<EventStore.Appended> results = store.appendAll(List.of(
                appendOf(a, "{\"n\":1}", null), appendOf(b, "{\"n\":2}", null),
                appendOf(a, "{\"n\":3}", null), appendOf(b, "{\"n\":4}", null), appendOf(a, "{\"n\":5}", null)));

        // then
        assertEquals(List.of(2L, 1L, 3L, 2L, 4L), results.stream().map(r -> r.seq().value()).toList());
        assertTrue(results.stream().noneMatch(EventStore.Appended::duplicate));
        assertEquals(List.of("{\"before\":1}", "{\"n\":1}", "{\"n\":3}", "{\"n\":5}"),
                store.read(a, Sequence.ZERO, ALL).stream().map(Event::data).toList());
        assertEquals(List.of("{\"n\":2}", "{\"n\":4}"), store.read(b, Sequence.ZERO, ALL).stream().map(Event::data).toList());
        assertEquals(results.get(2).stored().orElseThrow(), store.read(a, Sequence.of(2), 1).get(0));
        assertEquals(Sequence.of(4), store.head(a));
        assertEquals(Sequence.of(2), store.head(b));
    }

    @Test
    void anEmptyBatchStoresNothing() {
        assertEquals(List.of(), store.appendAll(List.of()));
    }

    @Test
    void aBatchStoresTheEventsWithFreeKeysAndReportsWhereATakenKeysEventIs() {
        // given
        ChannelName channel = newChannel();
        ChannelName other = newChannel();
        IdempotencyKey taken = newKey();
        Event earlier = store.appendOnce(other, draft("{\"earlier\":true}"), taken).orElseThrow();
        IdempotencyKey free = newKey();

        // when
        List<EventStore.Appended> results = store.appendAll(List.of(
                appendOf(channel, "{\"n\":1}", free), appendOf(channel, "{\"n\":2}", taken), appendOf(channel, "{\"n\":3}", null)));

        // then
        assertEquals(List.of(false, true, false), results.stream().map(EventStore.Appended::duplicate).toList());
        assertEquals(other, results.get(1).channel());
        assertEquals(earlier.seq(), results.get(1).seq());
        assertEquals(earlier.ts(), results.get(1).ts());
        assertEquals(List.of(1L, 2L), seqs(store.read(channel, Sequence.ZERO, ALL)));
        assertEquals(Optional.empty(), store.appendOnce(channel, draft("{}"), free), "the batch's key is taken now");
    }

    @Test
    void aKeyRepeatedWithinABatchStoresOnlyItsFirstEvent() {
        // given
        ChannelName channel = newChannel();
        IdempotencyKey key = newKey();

        // when
        List<EventStore.Appended> results = store.appendAll(List.of(
                appendOf(channel, "{\"n\":1}", key), appendOf(channel, "{\"n\":2}", key)));

        // then
        assertEquals(List.of(false, true), results.stream().map(EventStore.Appended::duplicate).toList());
        assertEquals(results.get(0).seq(), results.get(1).seq());
        assertEquals(List.of("{\"n\":1}"), store.read(channel, Sequence.ZERO, ALL).stream().map(Event::data).toList());
    }

    @Test
    void concurrentBatchesOverTheSameChannelsInOppositeOrdersNeitherDeadlockNorLoseAnEvent() throws InterruptedException {
        // given: every thread's batches name the same channels, half of the threads in reverse order
        List<ChannelName> channels = List.of(newChannel(), newChannel(), newChannel());
        int threads = 6;
        int batches = 20;

        // when
        List<List<EventStore.Appended>> byThread = Concurrently.run(threads, DEADLINE, t -> {
            List<EventStore.Appended> all = new ArrayList<>();
            for (int i = 0; i < batches; i++) {
                List<EventStore.Append> batch = new ArrayList<>();
                for (ChannelName channel : channels) {
                    batch.add(appendOf(channel, "{\"t\":" + t + ",\"i\":" + i + "}", null));
                }
                if (t % 2 == 1) {
                    Collections.reverse(batch);
                }
                all.addAll(store.appendAll(batch));
            }
            return all;
        });

        // then: each channel holds 1..threads*batches, each stored event exactly once
        for (ChannelName channel : channels) {
            List<Event> read = store.read(channel, Sequence.ZERO, ALL);
            assertEquals(range(1, (long) threads * batches), seqs(read));
            List<Event> reported = byThread.stream().flatMap(List::stream).map(r -> r.stored().orElseThrow())
                    .filter(e -> e.channel().equals(channel)).sorted(java.util.Comparator.comparing(e -> e.seq().value())).toList();
            assertEquals(read, reported);
        }
    }

    @Test
    void aBatchOverMoreChannelsAndKeysThanOneStatementNamesStoresEachOnceAndFindsEachKeyAgain() {
        // given: more channels and keys than one IN list of the store holds (500), half of the keys used before
        int size = 1_200;
        List<ChannelName> channels = new ArrayList<>();
        List<IdempotencyKey> keys = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            channels.add(newChannel());
            keys.add(newKey());
        }
        List<EventStore.Append> earlier = new ArrayList<>();
        for (int i = 0; i < size; i += 2) {
            earlier.add(appendOf(channels.get(i), "{\"earlier\":" + i + "}", keys.get(i)));
        }
        store.appendAll(earlier);

        // when: every key once more, on every channel, with a second keyless event per channel
        List<EventStore.Append> batch = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            batch.add(appendOf(channels.get(i), "{\"n\":" + i + "}", keys.get(i)));
            batch.add(appendOf(channels.get(i), "{\"free\":" + i + "}", null));
        }
        List<EventStore.Appended> results = store.appendAll(batch);

        // then: keys used before store nothing and point at their first event; the rest follow on
        Map<ChannelName, Sequence> heads = store.heads(channels);
        for (int i = 0; i < size; i++) {
            EventStore.Appended keyed = results.get(2 * i);
            EventStore.Appended free = results.get(2 * i + 1);
            boolean usedBefore = i % 2 == 0;
            assertEquals(usedBefore, keyed.duplicate(), "events[" + 2 * i + "]");
            assertEquals(channels.get(i), keyed.channel());
            assertEquals(Sequence.of(1), keyed.seq());
            assertEquals(Sequence.of(2), free.seq());
            assertEquals(Sequence.of(2), heads.get(channels.get(i)));
        }
    }

    /** The task's result; its assertion failure as this test's own, or a failure at the deadline. */
    private static <T> T await(Future<T> task, long deadline) throws Exception {
        try {
            return task.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AssertionError failure) {
                throw failure;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new AssertionError("not done within " + DEADLINE, e);
        }
    }

    /** Reads the head, then the history, and returns the head. */
    private Sequence assertNoHoleUpToHead(ChannelName channel) {
        Sequence head = store.head(channel);
        List<Long> visible = seqs(store.read(channel, Sequence.ZERO, ALL));
        // More may have been committed between the two calls, but never with a hole before it.
        if (visible.size() < head.value() || !visible.equals(range(1, visible.size()))) {
            fail("head was " + head + " but the history read right after holds " + describe(visible));
        }
        return head;
    }

    private static String describe(List<Long> seqs) {
        List<Long> missing = new ArrayList<>();
        long max = seqs.isEmpty() ? 0 : seqs.get(seqs.size() - 1);
        for (long s = 1; s <= max && missing.size() < 10; s++) {
            if (!seqs.contains(s)) {
                missing.add(s);
            }
        }
        return seqs.size() + " events up to " + max + ", missing " + missing;
    }
}
