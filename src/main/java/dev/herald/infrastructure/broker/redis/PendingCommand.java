package dev.herald.infrastructure.broker.redis;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A subscribe or unsubscribe written on a subscriber connection, waiting for its confirmation.
 * Redis confirms in the order commands were written, which is how a caller finds its own.
 */
final class PendingCommand {

    final boolean subscribe;
    final String channel;
    final boolean initial;
    final CountDownLatch done = new CountDownLatch(1);
    volatile boolean abandoned;

    PendingCommand(boolean subscribe, String channel, boolean initial) {
        this.subscribe = subscribe;
        this.channel = channel;
        this.initial = initial;
    }

    /** @return whether Redis confirmed within the wait */
    boolean await(Duration wait) {
        try {
            return done.await(wait.toMillis(), TimeUnit.MILLISECONDS) && !abandoned;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandoned = true;
            return false;
        }
    }
}
