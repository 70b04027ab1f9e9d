package dev.herald.application.session;

import dev.herald.application.config.HeraldConfig;
import dev.herald.domain.ChannelName;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The subscriptions of each channel on this instance, against {@code herald.limits.connections-per-channel}
 * (and its per-namespace overrides). Counted per instance: with several instances a channel can have
 * that many subscribers on each.
 */
@ApplicationScoped
public class ChannelOccupancy {

    private final ConcurrentHashMap<ChannelName, Set<Subscription>> channels = new ConcurrentHashMap<>();
    private HeraldConfig.Capacity capacity;

    protected ChannelOccupancy() {
        // for CDI proxies
    }

    @Inject
    public ChannelOccupancy(HeraldConfig config) {
        this.capacity = config.capacity();
    }

    /** The channel's subscriber limit on this instance; zero: none. */
    public int limit(ChannelName channel) {
        return capacity.connectionsPerChannel(channel.namespace());
    }

    /** Whether one more subscriber would be refused now (a size read outside the lock: a moment's estimate). */
    public boolean isFull(ChannelName channel) {
        int limit = limit(channel);
        if (limit == 0) {
            return false;
        }
        Set<Subscription> subs = channels.get(channel);
        return subs != null && subs.size() >= limit;
    }

    /** Counts the subscription in its channel; false, counting nothing, when the channel is full. */
    public boolean enter(Subscription sub) {
        int limit = limit(sub.channel());
        boolean[] entered = new boolean[1];
        channels.compute(sub.channel(), (channel, subs) -> {
            Set<Subscription> set = subs == null ? Collections.newSetFromMap(new IdentityHashMap<>()) : subs;
            if (limit == 0 || set.size() < limit) {
                set.add(sub);
                entered[0] = true;
            }
            return set.isEmpty() ? null : set;
        });
        return entered[0];
    }

    /** Stops counting the subscription; safe to call more than once. */
    public void leave(Subscription sub) {
        channels.computeIfPresent(sub.channel(), (channel, subs) -> {
            subs.remove(sub);
            return subs.isEmpty() ? null : subs;
        });
    }

    /** Subscribers of the channel on this instance. */
    public int count(ChannelName channel) {
        Set<Subscription> subs = channels.get(channel);
        return subs == null ? 0 : subs.size();
    }
}
