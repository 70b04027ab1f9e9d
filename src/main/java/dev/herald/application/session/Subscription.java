package dev.herald.application.session;

import dev.herald.domain.ChannelName;

/**
 * One connection's interest in one channel. While {@link #isLive()} is false the subscription is
 * replaying from the store and the hub does not deliver to it; the replay switches it to live under
 * the channel's lock, so no event is skipped or repeated at the switch.
 */
public final class Subscription {

    private final ClientSession session;
    private final ChannelName channel;
    private volatile long cursor;
    private volatile boolean live;
    private volatile long acked;
    private boolean cancelled;

    public Subscription(ClientSession session, ChannelName channel) {
        this.session = session;
        this.channel = channel;
    }

    public ClientSession session() {
        return session;
    }

    public ChannelName channel() {
        return channel;
    }

    /** The sequence of the last event sent on this subscription. */
    public long cursor() {
        return cursor;
    }

    public boolean isLive() {
        return live;
    }

    /** Starts live delivery after {@code position}. Called with the channel's hub lock held. */
    public void goLive(long position) {
        cursor = Math.max(cursor, position);
        live = true;
    }

    /**
     * Sends the encoded event unless the subscription was cancelled or already sent it.
     * Synchronized with {@link #cancel} so that nothing follows an {@code unsubscribed} frame.
     *
     * @return whether the frame was queued
     */
    public synchronized boolean deliver(long seq, String frame) {
        if (cancelled || seq <= cursor) {
            return false;
        }
        cursor = seq;
        session.send(frame);
        return true;
    }

    /** Sends a control frame about this subscription unless it was cancelled. */
    public synchronized boolean sendIfActive(String frame) {
        if (cancelled) {
            return false;
        }
        session.send(frame);
        return true;
    }

    /**
     * Stops delivery; {@code finalFrame}, if not null, is the last frame sent for this subscription.
     *
     * @return true for the one call that cancelled it, which then also takes it out of the hub
     */
    public synchronized boolean cancel(String finalFrame) {
        if (cancelled) {
            return false;
        }
        cancelled = true;
        if (finalFrame != null) {
            session.send(finalFrame);
        }
        return true;
    }

    public synchronized boolean isCancelled() {
        return cancelled;
    }

    public long acked() {
        return acked;
    }

    /** Records an acknowledgement the store has taken; the position only moves forward. */
    public synchronized void advanceAck(long seq) {
        acked = Math.max(acked, seq);
    }
}
