package dev.herald.infrastructure.persistence;

import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventDraft;
import dev.herald.domain.EventStore;
import dev.herald.domain.ForwardingEventStore;
import dev.herald.domain.IdempotencyKey;
import dev.herald.domain.StoreUnavailableException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Group commit: single appends that arrive while another commit is under way are committed
 * together, in one transaction of the underlying store, instead of one transaction each. A lone
 * publisher waits for nothing (its append is committed at once, as a batch of one); under load,
 * each commit carries every append that queued up meanwhile, so the database sees one commit
 * (and one log flush) per group rather than per event.
 *
 * <p>There is no committer thread. The first caller that finds nobody committing commits the
 * queue's head group (its own append included), then passes the lead to the caller whose append
 * is now first in the queue, and returns; the others wait for their result or for the lead. So
 * every caller commits at most one group, a lone caller commits its own append at once, and each
 * caller still returns only after its own event is committed: every guarantee of
 * {@link EventStore} holds as it did. A group is {@link EventStore#appendAll}, so the events of one
 * channel in a group are numbered in the order the appends were queued.
 *
 * <p>A batch ({@link EventStore#appendAll}) is a transaction of its own already and passes
 * straight through, as do reads.
 *
 * <p>A group that fails as a whole because the database is unavailable fails each of its appends
 * with that error. Any other failure is retried one append at a time, so one bad append cannot
 * fail the others that happened to share its group.
 */
public final class GroupCommitEventStore extends ForwardingEventStore {

    /** The largest group; more queued appends go into the next one. */
    static final int MAX_GROUP = 500;

    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    /** Whether some caller holds the lead: commits a group or is about to. */
    private final AtomicBoolean leading = new AtomicBoolean();

    public GroupCommitEventStore(EventStore store) {
        super(store);
    }

    /** One queued append and the caller waiting for it, who is woken for its result or for the lead. */
    private static final class Pending {
        final Append append;
        final Thread owner = Thread.currentThread();
        volatile Appended result;
        volatile Throwable failure;
        volatile boolean done;
        volatile boolean promoted;

        Pending(Append append) {
            this.append = append;
        }

        void complete(Appended appended) {
            result = appended;
            done = true;
            LockSupport.unpark(owner);
        }

        void fail(Throwable cause) {
            failure = cause;
            done = true;
            LockSupport.unpark(owner);
        }

        void promote() {
            promoted = true;
            LockSupport.unpark(owner);
        }
    }

    @Override
    public Event append(ChannelName channel, EventDraft draft) {
        return submit(new Append(channel, draft)).stored()
                .orElseThrow(() -> new IllegalStateException("an append without a key was reported as a duplicate"));
    }

    @Override
    public Optional<Event> appendOnce(ChannelName channel, EventDraft draft, IdempotencyKey key) {
        return submit(new Append(channel, draft, key)).stored();
    }

    /** Appends waiting for a commit (tests watch groups form). */
    int queued() {
        return queue.size();
    }

    private Appended submit(Append append) {
        Pending mine = new Pending(append);
        queue.add(mine);
        if (leading.compareAndSet(false, true)) {
            lead();
        }
        boolean interrupted = false;
        try {
            while (!mine.done) {
                if (mine.promoted) {
                    mine.promoted = false;
                    lead();
                } else {
                    LockSupport.park(this);
                    // An interrupt cannot cancel an append that may be committing: finish, then restore it.
                    interrupted |= Thread.interrupted();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (mine.failure != null) {
            throw rethrow(mine.failure);
        }
        return mine.result;
    }

    /** Commits the queue's head group, then passes the lead on (or gives it up when nothing waits). */
    private void lead() {
        try {
            commitGroup();
        } finally {
            while (true) {
                Pending next = queue.peek();
                if (next != null) {
                    next.promote();
                    return;
                }
                leading.set(false);
                // An append queued after the look above, whose caller saw the lead still held, must not be stranded.
                if (queue.isEmpty() || !leading.compareAndSet(false, true)) {
                    return;
                }
            }
        }
    }

    private void commitGroup() {
        List<Pending> group = new ArrayList<>();
        for (Pending next; group.size() < MAX_GROUP && (next = queue.poll()) != null; ) {
            group.add(next);
        }
        if (group.isEmpty()) {
            return;
        }
        try {
            List<Appended> results = delegate().appendAll(group.stream().map(p -> p.append).toList());
            for (int i = 0; i < group.size(); i++) {
                group.get(i).complete(results.get(i));
            }
        } catch (StoreUnavailableException e) {
            group.forEach(p -> p.fail(e));
        } catch (RuntimeException | Error e) {
            if (group.size() == 1) {
                group.get(0).fail(e);
                return;
            }
            for (Pending alone : group) {
                try {
                    alone.complete(delegate().appendAll(List.of(alone.append)).get(0));
                } catch (RuntimeException | Error again) {
                    alone.fail(again);
                }
            }
        }
    }

    private static RuntimeException rethrow(Throwable failure) {
        if (failure instanceof RuntimeException runtime) {
            return runtime;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(failure);
    }
}
