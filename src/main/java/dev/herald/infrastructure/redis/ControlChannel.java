package dev.herald.infrastructure.redis;

import java.util.function.Consumer;

/**
 * Messages between Herald instances through Redis, on the channel {@code herald:control}: a plain
 * pub/sub channel on one Redis node, a sharded one (SPUBLISH/SSUBSCRIBE) on a Redis Cluster. The
 * broker holds it, so its users need not know which kind of Redis runs.
 *
 * <p>Guarantee: like the broker's, at most once and best effort. A message sent while Redis is
 * unreachable, or while an instance is reconnecting, is lost; users repair that themselves (the
 * connection directory's renewals re-apply the limit).
 */
public interface ControlChannel {

    /** Sends a message to every instance, this one included. Never throws; a failure is logged. */
    void sendControl(String message);

    /** Sets the one receiver of the messages. It runs on a subscription thread, so it must hand anything slow on. */
    void onControl(Consumer<String> listener);
}
