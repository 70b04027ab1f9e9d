package dev.herald.application;

import dev.herald.application.audit.AuditEvent;
import dev.herald.application.audit.AuditLog;
import dev.herald.application.audit.AuditOutcome;
import dev.herald.application.audit.AuditType;
import dev.herald.application.config.HeraldConfig;
import dev.herald.application.delivery.Hub;
import dev.herald.application.delivery.RecentEvents;
import dev.herald.application.delivery.ServerFrames;
import dev.herald.application.metrics.HeraldMetrics;
import dev.herald.application.presence.Presence;
import dev.herald.application.security.Access;
import dev.herald.application.security.AccessPolicy;
import dev.herald.application.security.Principal;
import dev.herald.application.session.ChannelOccupancy;
import dev.herald.application.session.ClientSession;
import dev.herald.application.session.CloseCode;
import dev.herald.application.session.Subscription;
import dev.herald.domain.AckStore;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventStore;
import dev.herald.domain.Sequence;
import dev.herald.domain.StoreUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Subscribing and unsubscribing, with gap-free replay.
 *
 * <p>Replay registers the subscription with the hub first (not yet live, so the hub buffers
 * nothing for it), then pages through the store from the requested position while the outgoing
 * queue has room, and finally switches to live under the channel's lock after sending whatever the
 * hub delivered meanwhile. Memory stays bounded by one page however many events were missed.
 */
@ApplicationScoped
public class SubscribeService {

    private static final Logger LOG = Logger.getLogger(SubscribeService.class.getName());
    /** How long a replay waits for a client to drain its queue before closing it as a slow consumer. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    private AccessPolicy policy;
    private Hub hub;
    private EventStore store;
    private AckStore acks;
    private Presence presence;
    private Executor executor;
    private int pageSize;
    private int maxSubscriptions;
    private ChannelOccupancy occupancy;
    private AuditLog audit = AuditLog.NONE;
    private HeraldMetrics metrics = new HeraldMetrics();

    protected SubscribeService() {
        // for CDI proxies
    }

    @Inject
    public SubscribeService(AccessPolicy policy, Hub hub, EventStore store, AckStore acks, Presence presence,
                            Executor executor, HeraldConfig config) {
        this.policy = policy;
        this.hub = hub;
        this.store = store;
        this.acks = acks;
        this.presence = presence;
        this.executor = executor;
        this.pageSize = config.replay().pageSize();
        this.maxSubscriptions = config.capacity().subscriptionsPerConnection();
        this.occupancy = new ChannelOccupancy(config);
    }

    /** Counts subscribers per channel in the instance's shared {@link ChannelOccupancy}; until set, in one of its own. */
    @Inject
    public void limitBy(ChannelOccupancy occupancy) {
        this.occupancy = occupancy;
    }

    /** Where this service reports what it audits; {@link AuditLog#NONE} until set. */
    @Inject
    public void recordTo(AuditLog audit) {
        this.audit = audit;
    }

    /** Where replayed events are counted; a private set until CDI injects the shared one. */
    @Inject
    public void countIn(HeraldMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Subscribes the session to the channel. Authorization is checked at once; the {@code subscribed}
     * frame, the replay and live delivery follow asynchronously, in that order.
     *
     * @param since deliver every event after this position; empty: after the user's last ack, else live only
     * @throws HeraldException {@code forbidden}, {@code already_subscribed}, {@code too_many_subscriptions}
     *                         or {@code channel_full}
     */
    public void subscribe(ClientSession session, ChannelName channel, Optional<Sequence> since, String ref) {
        Principal principal = session.requirePrincipal();
        requireAllowed(session, channel);
        if (maxSubscriptions > 0 && session.subscriptions().size() >= maxSubscriptions
                && !session.subscriptions().containsKey(channel)) {
            limited(session, channel, "subscriptions-per-connection", maxSubscriptions);
            throw new HeraldException(ErrorCode.TOO_MANY_SUBSCRIPTIONS,
                    "a connection may hold " + maxSubscriptions + " subscriptions; unsubscribe from one first");
        }
        Subscription sub = new Subscription(session, channel);
        if (session.subscriptions().putIfAbsent(channel, sub) != null) {
            throw new HeraldException(ErrorCode.ALREADY_SUBSCRIBED, "already subscribed to " + channel);
        }
        if (!occupancy.enter(sub)) {
            session.subscriptions().remove(channel, sub);
            limited(session, channel, "connections-per-channel", occupancy.limit(channel));
            throw new HeraldException(ErrorCode.CHANNEL_FULL,
                    channel + " has its limit of " + occupancy.limit(channel) + " subscribers on this instance; retry later");
        }
        if (session.isReleased()) {
            session.subscriptions().remove(channel, sub);
            occupancy.leave(sub);
            return;
        }
        executor.execute(() -> start(sub, principal, since, ref));
    }

    /**
     * Refuses, and audits, a subscription the session's principal may not have.
     *
     * @throws HeraldException {@code forbidden}
     */
    public void requireAllowed(ClientSession session, ChannelName channel) {
        if (!policy.allows(session.requirePrincipal(), channel, Access.SUBSCRIBE)) {
            audit.record(AuditEvent.of(AuditType.SUBSCRIBE_DENIED, AuditOutcome.DENIED).session(session).channel(channel));
            throw new HeraldException(ErrorCode.FORBIDDEN, "not allowed to subscribe to " + channel);
        }
    }

    /** @throws HeraldException {@code not_subscribed} */
    public void unsubscribe(ClientSession session, ChannelName channel, String ref) {
        Subscription sub = session.subscriptions().remove(channel);
        if (sub == null) {
            throw new HeraldException(ErrorCode.NOT_SUBSCRIBED, "not subscribed to " + channel);
        }
        if (sub.cancel(ServerFrames.unsubscribed(channel, ref))) {
            leave(sub);
        }
    }

    /**
     * Drops every subscription of a closed session, without frames. They stay in the session's map,
     * cancelled, with their positions: an ack the client sent before the close may still be handled
     * after the release (the container delivers it late), and it is stored all the same.
     */
    public void release(ClientSession session) {
        for (Subscription sub : session.activeSubscriptions()) {
            if (sub.cancel(null)) {
                leave(sub);
            }
        }
    }

    /** Drops the subscriptions the session's (refreshed) principal no longer grants. */
    public void revokeUngranted(ClientSession session) {
        Principal principal = session.requirePrincipal();
        for (Subscription sub : session.activeSubscriptions()) {
            if (!policy.allows(principal, sub.channel(), Access.SUBSCRIBE)
                    && session.subscriptions().remove(sub.channel(), sub)) {
                if (sub.cancel(ServerFrames.unsubscribed(sub.channel(), null))) {
                    leave(sub);
                }
            }
        }
    }

    private void start(Subscription sub, Principal principal, Optional<Sequence> since, String ref) {
        ChannelName channel = sub.channel();
        try {
            Hub.Group group = hub.join(sub);
            if (group == null) {
                return;
            }
            presence.join(channel, principal.subject(), sub.session().id());
            if (sub.isCancelled()) {
                // Its leave may have run before this join: leave again so no entry outlives it.
                presence.leave(channel, principal.subject(), sub.session().id());
                return;
            }
            Optional<Sequence> from = since.isPresent() ? since : acks.position(principal.subject(), channel);
            Sequence head = Sequence.of(group.delivered());
            Optional<List<RecentEvents.Entry>> firstPage = from.flatMap(position -> firstPageIfRecoverable(group, position, head));
            if (firstPage.isEmpty()) {
                hub.goLive(group, sub, head.value(), ServerFrames.subscribed(channel, head, false, 0, ref));
                return;
            }
            long position = from.get().value();
            if (!sub.sendIfActive(ServerFrames.subscribed(channel, head, true, head.value() - position, ref))) {
                return;
            }
            for (RecentEvents.Entry e : firstPage.get()) {
                sub.deliver(e.seq(), e.frame());
                position = e.seq();
            }
            metrics.replayed(firstPage.get().size());
            long reached = replay(sub, group, position);
            if (reached >= 0) {
                hub.goLive(group, sub, reached, null);
            }
        } catch (RuntimeException e) {
            ErrorCode code = e instanceof StoreUnavailableException ? ErrorCode.STORE_UNAVAILABLE : ErrorCode.INTERNAL_ERROR;
            if (code == ErrorCode.STORE_UNAVAILABLE) {
                LOG.warning(() -> "subscribing connection " + sub.session().id() + " to " + channel + ": " + e.getMessage());
            } else {
                LOG.log(Level.SEVERE, "subscribing connection " + sub.session().id() + " to " + channel + " failed", e);
            }
            if (sub.session().subscriptions().remove(channel, sub)
                    && sub.cancel(ServerFrames.error(code, "subscribe to " + channel + " failed: " + code.title(), ref))) {
                leave(sub);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void limited(ClientSession session, ChannelName channel, String limit, int value) {
        audit.record(AuditEvent.of(AuditType.LIMIT, AuditOutcome.DENIED).session(session).channel(channel)
                .with("limit", limit).with("max", value));
    }

    /** Every ended subscription leaves the hub, the channel's count and presence here, after it was cancelled. */
    private void leave(Subscription sub) {
        hub.leave(sub);
        occupancy.leave(sub);
        ClientSession session = sub.session();
        session.principal().ifPresent(p -> presence.leave(sub.channel(), p.subject(), session.id()));
    }

    /**
     * Pages from the store until close to the channel's live position.
     *
     * @return the position reached, or -1 when the subscription ended or the client stalled
     */
    private long replay(Subscription sub, Hub.Group group, long position) throws InterruptedException {
        long cursor = position;
        while (group.delivered() - cursor > pageSize) {
            if (sub.isCancelled()) {
                return -1;
            }
            if (!sub.session().connection().awaitWritable(DRAIN_TIMEOUT)) {
                if (sub.session().connection().isOpen()) {
                    sub.session().close(CloseCode.SLOW_CONSUMER, "replay could not be sent in time");
                }
                return -1;
            }
            List<Event> page = store.read(sub.channel(), Sequence.of(cursor), pageSize);
            if (page.isEmpty()) {
                break;
            }
            for (Event e : page) {
                sub.deliver(e.seq().value(), ServerFrames.event(e));
                cursor = e.seq().value();
            }
            metrics.replayed(page.size());
        }
        return cursor;
    }

    /**
     * The first page of events after {@code position}, encoded, when every one of them can still be
     * sent: the position is not ahead of the head, and the channel's recent events in memory, or
     * else the store, hold the event right after it. Deciding on the page actually read (not on an
     * earlier look at the oldest event) means a retention sweep running meanwhile cannot make a
     * replay skip events after promising them. A page read from the store is kept with the recent
     * events, so the next subscriber resuming from about there does not read it again.
     *
     * @return empty when the subscription cannot be recovered from {@code position}
     */
    private Optional<List<RecentEvents.Entry>> firstPageIfRecoverable(Hub.Group group, Sequence position, Sequence head) {
        if (position.isAfter(head)) {
            return Optional.empty();
        }
        if (position.equals(head)) {
            return Optional.of(List.of());
        }
        Optional<List<RecentEvents.Entry>> recent = hub.recent(group, position.value(), pageSize);
        if (recent.isPresent()) {
            return recent;
        }
        List<Event> page = store.read(group.channel(), position, pageSize);
        if (page.isEmpty() || page.get(0).seq().value() != position.value() + 1) {
            return Optional.empty();
        }
        return Optional.of(hub.remember(group, page));
    }
}
