package dev.herald.infrastructure.persistence;

import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventDraft;
import dev.herald.domain.EventStore;
import dev.herald.domain.EventStoreContract;
import dev.herald.domain.EventType;
import dev.herald.domain.ForwardingEventStore;
import dev.herald.domain.Sequence;
import dev.herald.domain.StoreUnavailableException;
import dev.herald.testing.InMemoryEventStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Group commit: concurrent single appends share transactions, and keep every guarantee of the store. */
class GroupCommitEventStoreTest {

    /** The whole store contract, through group commit over the in-memory store. */
    @Nested
    class Contract extends EventStoreContract {
        @Override
        protected EventStore newStore() {
            return new GroupCommitEventStore(new InMemoryEventStore());
        }
    }

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final ChannelName CHANNEL = ChannelName.of("orders", "1");
    private static final EventType TYPE = new EventType("order.placed");

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    private static EventDraft draft(String data) {
        return new EventDraft(TYPE, data, null);
    }

    /** Records the batches it commits; the first one waits at a gate until the test opens it. */
    private static final class GatedStore extends ForwardingEventStore {
        final List<Integer> batches = new CopyOnWriteArrayList<>();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch gate = new CountDownLatch(1);
        volatile String poison;
        volatile boolean down;

        GatedStore() {
            super(new InMemoryEventStore());
        }

        @Override
        public List<Appended> appendAll(List<Append> batch) {
            entered.countDown();
            try {
                if (!gate.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("gate never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (down) {
                throw new StoreUnavailableException("down", null);
            }
            if (batch.stream().anyMatch(a -> a.draft().data().equals(poison))) {
                throw new IllegalArgumentException("refused " + poison);
            }
            batches.add(batch.size());
            return super.appendAll(batch);
        }

        @Override
        public Event append(ChannelName channel, EventDraft draft) {
            throw new UnsupportedOperationException("group commit appends through appendAll");
        }

        @Override
        public Optional<Event> appendOnce(ChannelName channel, EventDraft draft, dev.herald.domain.IdempotencyKey key) {
            throw new UnsupportedOperationException("group commit appends through appendAll");
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + DEADLINE + ": " + what);
            }
            Thread.sleep(2); // polling a condition under a deadline
        }
    }

    /** Starts one append that blocks in the store, then {@code more} appends that queue behind it. */
    private List<Future<Event>> appendsQueuedBehindACommit(GatedStore store, GroupCommitEventStore group, int more)
            throws InterruptedException {
        List<Future<Event>> appends = new ArrayList<>();
        appends.add(threads.submit(() -> group.append(CHANNEL, draft("{\"n\":0}"))));
        assertTrue(store.entered.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS), "the first commit started");
        for (int i = 1; i <= more; i++) {
            String data = "{\"n\":" + i + "}";
            appends.add(threads.submit(() -> group.append(CHANNEL, draft(data))));
        }
        await(() -> group.queued() == more, more + " appends queued behind the first commit");
        return appends;
    }

    @Test
    void aLoneAppendIsCommittedAtOnceAsAGroupOfOne() {
        GatedStore store = new GatedStore();
        store.gate.countDown();
        GroupCommitEventStore group = new GroupCommitEventStore(store);

        Event event = group.append(CHANNEL, draft("{}"));

        assertEquals(Sequence.of(1), event.seq());
        assertEquals(List.of(1), store.batches);
    }

    @Test
    void appendsArrivingDuringACommitAreCommittedTogetherInTheNext() throws Exception {
        GatedStore store = new GatedStore();
        GroupCommitEventStore group = new GroupCommitEventStore(store);
        List<Future<Event>> appends = appendsQueuedBehindACommit(store, group, 20);

        store.gate.countDown();

        List<Long> seqs = new ArrayList<>();
        for (Future<Event> append : appends) {
            seqs.add(append.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS).seq().value());
        }
        assertEquals(List.of(1, 20), store.batches, "one commit for the first, one for the twenty behind it");
        assertEquals(21, seqs.stream().distinct().count());
        assertEquals(Sequence.of(21), store.head(CHANNEL));
    }

    @Test
    void anAppendTheStoreRefusesFailsAloneAndTheRestOfItsGroupIsStored() throws Exception {
        GatedStore store = new GatedStore();
        store.poison = "{\"n\":3}";
        GroupCommitEventStore group = new GroupCommitEventStore(store);
        List<Future<Event>> appends = appendsQueuedBehindACommit(store, group, 5);

        store.gate.countDown();

        for (int i = 0; i < appends.size(); i++) {
            Future<Event> append = appends.get(i);
            if (i == 3) {
                Exception e = assertThrows(Exception.class, () -> append.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
                assertInstanceOf(IllegalArgumentException.class, e.getCause());
            } else {
                append.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        assertEquals(Sequence.of(5), store.head(CHANNEL));
    }

    @Test
    void anUnavailableDatabaseFailsEveryAppendOfTheGroupWithoutRetries() throws Exception {
        GatedStore store = new GatedStore();
        GroupCommitEventStore group = new GroupCommitEventStore(store);
        List<Future<Event>> appends = appendsQueuedBehindACommit(store, group, 5);
        store.down = true;

        store.gate.countDown();

        for (Future<Event> append : appends) {
            Exception e = assertThrows(Exception.class, () -> append.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
            assertInstanceOf(StoreUnavailableException.class, e.getCause());
        }
        assertEquals(List.of(), store.batches);
        assertEquals(0, group.queued());
    }

    @Test
    void manyThreadsAppendingAtOnceAllReturnWithEverySequenceOnce() throws Exception {
        GroupCommitEventStore group = new GroupCommitEventStore(new InMemoryEventStore());
        int callers = 16;
        int each = 300;
        List<Future<List<Long>>> work = new ArrayList<>();
        for (int t = 0; t < callers; t++) {
            work.add(threads.submit(() -> {
                List<Long> seqs = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                    seqs.add(group.append(CHANNEL, draft("{}")).seq().value());
                }
                return seqs;
            }));
        }
        List<Long> all = new ArrayList<>();
        for (Future<List<Long>> w : work) {
            List<Long> seqs = w.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(seqs.stream().sorted().toList(), seqs, "one caller's appends are numbered in its order");
            all.addAll(seqs);
        }
        assertEquals(callers * each, all.stream().distinct().count());
        assertEquals(Sequence.of(callers * each), group.head(CHANNEL));
        assertEquals(0, group.queued());
    }
}
