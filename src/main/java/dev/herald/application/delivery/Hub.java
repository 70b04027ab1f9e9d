package dev.herald.application.delivery;

import dev.herald.application.broker.Broker;
import dev.herald.application.config.HeraldConfig;
import dev.herald.application.metrics.HeraldMetrics;
import dev.herald.application.session.Subscription;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventStore;
import dev.herald.domain.Sequence;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This instance's subscribers, by channel, and the fan-out of broker events to them.
 *
 * <p>Per channel the hub remembers the last sequence it delivered. An event from the broker that is
 * already delivered is dropped. One that arrives ahead of the next expected sequence waits up to
 * {@code herald.broker.reorder-window} for the events before it: publishers hand their events to
 * the broker after the commit, each on its own thread and instance, so the next one is usually a
 * moment behind, and delivering it when it comes costs no store read and does not hold up the
 * broker's thread. Whatever is still missing when the window ends (a lost broker message) is read
 * from the store. So local subscribers see 1, 2, 3 ... exactly once however the broker orders or
 * loses messages. Each event is encoded once and the same text is queued on every subscriber's
 * connection; queuing never blocks.
 *
 * <p>The broker subscription of a channel exists exactly while it has local subscribers.
 */
@ApplicationScoped
public class Hub {

    private static final Logger LOG = Logger.getLogger(Hub.class.getName());
    /** Events held per channel for their predecessors; one more and the gap is read from the store at once. */
    static final int MAX_EARLY = 256;

    private final ConcurrentHashMap<ChannelName, Group> groups = new ConcurrentHashMap<>();
    private Broker broker;
    private EventStore store;
    private int pageSize;
    private int recentEvents;
    private HeraldMetrics metrics = new HeraldMetrics();
    private long reorderWindowNanos;
    /** Each active channel's stored head at the last head check, which the next periodic check holds this instance to. */
    private volatile Map<ChannelName, Sequence> headsSeen = Map.of();
    private ScheduledExecutorService scheduler;
    private Executor executor;

    protected Hub() {
        // for CDI proxies
    }

    @Inject
    public Hub(Broker broker, EventStore store, HeraldConfig config) {
        this.broker = broker;
        this.store = store;
        this.pageSize = config.replay().pageSize();
        this.recentEvents = config.replay().recentEvents();
        this.reorderWindowNanos = config.broker().reorderWindow().toNanos();
    }

    /**
     * Where an early event's wait is timed and the store read after it runs (off the scheduler's
     * thread, which other periodic work shares). Until this is called (a hub built by hand), or
     * with a zero window, a gap is read from the store as soon as it is seen.
     */
    @Inject
    public void waitOn(ScheduledExecutorService scheduler, Executor executor) {
        this.scheduler = scheduler;
        this.executor = executor;
    }

    /** Where deliveries, catch-ups and gap repairs are counted; a private set until CDI injects the shared one. */
    @Inject
    public void countIn(HeraldMetrics metrics) {
        this.metrics = metrics;
    }

    /** Attaches the hub to the broker; CDI calls it once, tests call it by hand. */
    @PostConstruct
    public void start() {
        broker.listen(new Broker.Listener() {
            @Override
            public void onEvent(Event event) {
                Hub.this.onEvent(event);
            }

            @Override
            public void onResubscribed() {
                checkHeads();
            }
        });
    }

    /**
     * Compares every active channel's stored head with what this instance delivered, in one
     * batched query, and delivers whatever is missing from the store. Run after the broker
     * resubscribes, and often while the broker is disconnected, when it is the only way events
     * arrive.
     *
     * @return how many channels were behind
     */
    public int checkHeads() {
        return compareHeads(false);
    }

    /**
     * The periodic check while the broker is connected: like {@link #checkHeads}, but a channel
     * counts as behind only when it has still not delivered the head that the previous check saw.
     * An event committed a moment ago is usually on its way through the broker (under load, for a
     * good part of a second), and reading it from the store as well would cost a store read for
     * nothing; a trailing event whose broker message was lost is delivered by the check after the
     * one that first saw it.
     *
     * @return how many channels were behind
     */
    public int checkOverdueHeads() {
        return compareHeads(true);
    }

    private int compareHeads(boolean onlyOverdue) {
        List<ChannelName> active = activeChannels();
        if (active.isEmpty()) {
            headsSeen = Map.of();
            return 0;
        }
        Map<ChannelName, Sequence> heads = store.heads(active);
        Map<ChannelName, Sequence> seenBefore = headsSeen;
        headsSeen = heads;
        int behind = 0;
        for (Map.Entry<ChannelName, Sequence> head : heads.entrySet()) {
            Group group = groups.get(head.getKey());
            long due = onlyOverdue ? seenBefore.getOrDefault(head.getKey(), Sequence.ZERO).value() : head.getValue().value();
            if (group == null || due <= group.delivered) {
                continue;
            }
            group.lock.lock();
            try {
                // Checked again under the lock: an event committed a moment ago is usually being
                // fanned out right now, and is no gap once that fan-out let go of the lock.
                if (group.started && !group.removed && due > group.delivered) {
                    behind++;
                    repairGap(group, head.getValue().value() + 1);
                    deliverEarly(group);
                }
            } finally {
                group.lock.unlock();
            }
        }
        return behind;
    }

    /**
     * Adds a (not yet live) subscription to its channel, subscribing the broker for the channel's
     * first subscriber. Returns the channel's group, or null when the subscription was cancelled.
     */
    public Group join(Subscription sub) {
        while (true) {
            Group group = groups.computeIfAbsent(sub.channel(), channel -> new Group(channel, recentEvents));
            group.lock.lock();
            try {
                if (group.removed) {
                    continue;
                }
                if (sub.isCancelled()) {
                    return null;
                }
                if (!group.started) {
                    // Subscribe before reading the head: an event committed after the head read is
                    // published after the subscription is active, so it cannot fall between the two.
                    broker.subscribe(group.channel);
                    try {
                        group.delivered = store.head(group.channel).value();
                    } catch (RuntimeException e) {
                        // Leave nothing behind: the next subscriber starts the channel afresh.
                        group.removed = true;
                        groups.remove(group.channel, group);
                        broker.unsubscribe(group.channel);
                        throw e;
                    }
                    group.started = true;
                }
                group.add(sub);
                return group;
            } finally {
                group.lock.unlock();
            }
        }
    }

    /** Removes the subscription; the channel's last subscriber unsubscribes the broker. */
    public void leave(Subscription sub) {
        Group group = groups.get(sub.channel());
        if (group == null) {
            return;
        }
        group.lock.lock();
        try {
            if (group.remove(sub) && group.isEmpty() && !group.removed) {
                group.removed = true;
                // Unsubscribe while the group is still in the map: a concurrent join waits on this
                // lock, finds the group removed and subscribes afresh only after this unsubscribe.
                if (group.started) {
                    broker.unsubscribe(group.channel);
                }
                groups.remove(group.channel, group);
            }
        } finally {
            group.lock.unlock();
        }
    }

    /**
     * Finishes a replay: sends from the store whatever lies between {@code position} and the
     * channel's last delivered event, then makes the subscription live, all under the channel's lock
     * so that the next live event follows without a gap or a repeat.
     *
     * @return the subscription's position when it went live
     */
    public long goLive(Group group, Subscription sub, long position, String frameBeforeEvents) {
        group.lock.lock();
        try {
            if (frameBeforeEvents != null && !sub.sendIfActive(frameBeforeEvents)) {
                return position;
            }
            long cursor = position;
            while (cursor < group.delivered) {
                List<RecentEvents.Entry> recent = group.recent.after(cursor, pageSize);
                if (recent != null) {
                    for (RecentEvents.Entry entry : recent) {
                        sub.deliver(entry.seq(), entry.frame());
                        cursor = entry.seq();
                    }
                    metrics.replayed(recent.size());
                    continue;
                }
                List<Event> page = store.read(group.channel, Sequence.of(cursor), (int) Math.min(pageSize, group.delivered - cursor));
                if (page.isEmpty()) {
                    LOG.warning(() -> "store holds no events after " + group.channel + " " + position
                            + " although " + group.delivered + " were delivered");
                    break;
                }
                for (Event e : page) {
                    sub.deliver(e.seq().value(), ServerFrames.event(e));
                    cursor = e.seq().value();
                }
                metrics.replayed(page.size());
            }
            sub.goLive(Math.max(cursor, group.delivered));
            return sub.cursor();
        } finally {
            group.lock.unlock();
        }
    }

    /**
     * Events after {@code position} from the channel's recent run in memory, already encoded, when
     * the run reaches back to {@code position + 1}.
     *
     * @return empty when the store must be read instead
     */
    public Optional<List<RecentEvents.Entry>> recent(Group group, long position, int max) {
        group.lock.lock();
        try {
            return Optional.ofNullable(group.recent.after(position, max));
        } finally {
            group.lock.unlock();
        }
    }

    /**
     * Encodes a page read from the store, once, and keeps it for the next subscriber that resumes
     * from the same place when it joins up with the channel's recent run (a reconnect storm reads
     * the store once).
     *
     * @return the page's events with their frames, for the subscriber that read it
     */
    public List<RecentEvents.Entry> remember(Group group, List<Event> page) {
        List<RecentEvents.Entry> entries = page.stream().map(e -> new RecentEvents.Entry(e, ServerFrames.event(e))).toList();
        group.lock.lock();
        try {
            group.recent.prepend(entries, group.delivered);
        } finally {
            group.lock.unlock();
        }
        return entries;
    }

    /** Broker listener: delivers in sequence order, waiting for late predecessors and repairing gaps from the store. */
    void onEvent(Event event) {
        Group group = groups.get(event.channel());
        if (group == null) {
            return;
        }
        long seq = event.seq().value();
        group.lock.lock();
        try {
            if (!group.started || group.removed || seq <= group.delivered) {
                return;
            }
            if (seq > group.delivered + 1) {
                if (holdEarly(group, event)) {
                    return;
                }
                repairGap(group, seq);
            }
            if (seq == group.delivered + 1) {
                fanOut(group, event);
            }
            deliverEarly(group);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "delivery on " + event.channel() + " failed at " + seq, e);
        } finally {
            group.lock.unlock();
        }
    }

    /**
     * Keeps an event that came ahead of its predecessor until they arrive or the reorder window
     * ends. Caller holds the group's lock.
     *
     * @return false when it cannot wait (no window, or the channel already holds its most) and the gap must be read now
     */
    private boolean holdEarly(Group group, Event event) {
        if (scheduler == null || reorderWindowNanos == 0) {
            return false;
        }
        if (group.early == null) {
            group.early = new TreeMap<>();
        }
        if (group.early.size() >= MAX_EARLY && !group.early.containsKey(event.seq().value())) {
            return false;
        }
        group.early.put(event.seq().value(), event);
        if (!group.settling) {
            try {
                scheduler.schedule(() -> settleLater(group), reorderWindowNanos, TimeUnit.NANOSECONDS);
                group.settling = true;
            } catch (RejectedExecutionException e) {
                // Shutting down: take the event back and let the caller read the gap at once.
                group.early.remove(event.seq().value());
                return false;
            }
        }
        metrics.heldForOrder();
        return true;
    }

    /** The reorder window of a channel's early events has ended: read what is still missing, off the scheduler's thread. */
    private void settleLater(Group group) {
        try {
            executor.execute(() -> settle(group));
        } catch (RejectedExecutionException e) {
            settle(group);
        }
    }

    void settle(Group group) {
        group.lock.lock();
        try {
            group.settling = false;
            if (group.early == null || group.early.isEmpty()) {
                return;
            }
            if (!group.started || group.removed) {
                group.early = null;
                return;
            }
            long first = group.early.firstKey();
            if (first > group.delivered + 1) {
                repairGap(group, first);
            }
            deliverEarly(group);
            if (group.early != null && !group.early.isEmpty()) {
                // Events after a new gap, which came while this one was open: they get a window of their own.
                scheduler.schedule(() -> settleLater(group), reorderWindowNanos, TimeUnit.NANOSECONDS);
                group.settling = true;
            }
        } catch (RuntimeException e) {
            // The store may be down: the early events stay for the head check, or the next early event's window.
            LOG.log(Level.WARNING, "reading the gap of " + group.channel + " after " + group.delivered + " failed", e);
        } finally {
            group.lock.unlock();
        }
    }

    /** Delivers the held events that are now next in sequence and forgets those already delivered. Caller holds the lock. */
    private void deliverEarly(Group group) {
        TreeMap<Long, Event> early = group.early;
        if (early == null) {
            return;
        }
        while (!early.isEmpty()) {
            long first = early.firstKey();
            if (first > group.delivered + 1) {
                return;
            }
            Event next = early.pollFirstEntry().getValue();
            if (first == group.delivered + 1) {
                fanOut(group, next);
            }
        }
        group.early = null;
    }

    private void repairGap(Group group, long upTo) {
        metrics.gapRepaired();
        while (group.delivered + 1 < upTo) {
            long before = group.delivered;
            int want = (int) Math.min(pageSize, upTo - 1 - before);
            for (Event e : store.read(group.channel, Sequence.of(before), want)) {
                if (e.seq().value() < upTo) {
                    fanOut(group, e);
                }
            }
            if (group.delivered == before) {
                // The store no longer holds the missing events (retention removed them). Commits are
                // ordered per channel, so they will not appear later: skip rather than stall the channel.
                LOG.warning(() -> "events " + (before + 1) + ".." + (upTo - 1) + " of " + group.channel
                        + " are not in the store; delivering from " + upTo);
                group.delivered = upTo - 1;
                group.recent.clear();
                return;
            }
        }
    }

    private void fanOut(Group group, Event event) {
        long seq = event.seq().value();
        Subscription[] members = group.members;
        String frame = ServerFrames.event(event);
        group.recent.append(event, frame);
        if (members.length > 0) {
            int queued = 0;
            for (Subscription sub : members) {
                if (sub.isLive() && sub.deliver(seq, frame)) {
                    queued++;
                }
            }
            // One clock read and one histogram update per event, however many connections it reached.
            Instant ts = event.ts();
            long latencyMicros = System.currentTimeMillis() * 1000 - (ts.getEpochSecond() * 1_000_000 + ts.getNano() / 1000);
            metrics.delivered(queued, latencyMicros);
        }
        group.delivered = seq;
    }

    /** Channels with local subscribers. */
    public List<ChannelName> activeChannels() {
        return new ArrayList<>(groups.keySet());
    }

    public int subscriberCount(ChannelName channel) {
        Group group = groups.get(channel);
        return group == null ? 0 : group.members.length;
    }

    /** One channel's local subscribers and delivery position, guarded by its lock. */
    public static final class Group {
        private final ChannelName channel;
        private final ReentrantLock lock = new ReentrantLock();
        private volatile Subscription[] members = new Subscription[0];
        private volatile long delivered;
        private boolean started;
        private boolean removed;
        private final RecentEvents recent;
        /** Events that came ahead of the next expected one, by sequence; null while there are none. */
        private TreeMap<Long, Event> early;
        /** Whether the end of the early events' reorder window is scheduled. */
        private boolean settling;

        Group(ChannelName channel, int recentEvents) {
            this.channel = channel;
            this.recent = new RecentEvents(recentEvents);
        }

        public ChannelName channel() {
            return channel;
        }

        /** The last sequence fanned out on this instance. */
        public long delivered() {
            return delivered;
        }

        private void add(Subscription sub) {
            Subscription[] next = Arrays.copyOf(members, members.length + 1);
            next[members.length] = sub;
            members = next;
        }

        private boolean remove(Subscription sub) {
            Subscription[] current = members;
            for (int i = 0; i < current.length; i++) {
                if (current[i] == sub) {
                    Subscription[] next = new Subscription[current.length - 1];
                    System.arraycopy(current, 0, next, 0, i);
                    System.arraycopy(current, i + 1, next, i, current.length - i - 1);
                    members = next;
                    return true;
                }
            }
            return false;
        }

        private boolean isEmpty() {
            return members.length == 0;
        }
    }
}
