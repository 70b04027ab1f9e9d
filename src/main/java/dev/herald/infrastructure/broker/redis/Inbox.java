package dev.herald.infrastructure.broker.redis;

import dev.herald.application.broker.Broker.Listener;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.infrastructure.broker.redis.RedisEventCodec.MalformedMessageException;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What both Redis brokers do with what Redis sends them, whatever the connection: decode a Herald
 * channel's message and hand it to the listener, route {@code herald:control} messages, and run the
 * store check after a resubscribe. Called on the subscription loop's thread, which must survive a
 * failing listener: every later message would be lost with it.
 */
final class Inbox {

    /** The owning broker's logger: operators configure and read one category per broker. */
    private final Logger log;
    private final Set<ChannelName> wanted;
    private final Executor executor;
    private final LogThrottle malformedLog = new LogThrottle(Duration.ofSeconds(5));
    private volatile Listener listener;
    private volatile Consumer<String> controlListener;

    /** @param wanted the channels the broker is subscribed to; messages of others are dropped */
    Inbox(Logger log, Set<ChannelName> wanted, Executor executor) {
        this.log = log;
        this.wanted = wanted;
        this.executor = executor;
    }

    void listen(Listener listener) {
        this.listener = listener;
    }

    void onControl(Consumer<String> listener) {
        this.controlListener = listener;
    }

    /** Hands a message of a Herald channel to the listener, or a control message to its listener. */
    void deliver(String redisChannel, String message) {
        if (RedisBroker.CONTROL_CHANNEL.equals(redisChannel)) {
            control(message);
            return;
        }
        if (!redisChannel.startsWith(RedisBroker.CHANNEL_PREFIX)) {
            return;
        }
        ChannelName channel = ChannelName.tryParse(redisChannel.substring(RedisBroker.CHANNEL_PREFIX.length())).orElse(null);
        if (channel == null || !wanted.contains(channel)) {
            return;
        }
        Event event;
        try {
            event = RedisEventCodec.decode(message);
            if (!event.channel().equals(channel)) {
                throw new MalformedMessageException("the event names channel " + event.channel());
            }
        } catch (MalformedMessageException e) {
            long held = malformedLog.pass();
            if (held >= 0) {
                log.warning(() -> "skipped a malformed message on " + redisChannel + ": " + e.getMessage()
                        + (held > 0 ? " (" + held + " more since the last report)" : ""));
            }
            return;
        }
        Listener current = listener;
        if (current == null) {
            return;
        }
        try {
            current.onEvent(event);
        } catch (RuntimeException e) {
            log.log(Level.SEVERE, "the listener failed on " + event.channel() + " " + event.seq(), e);
        }
    }

    private void control(String message) {
        Consumer<String> current = controlListener;
        if (current == null) {
            return;
        }
        try {
            current.accept(message);
        } catch (RuntimeException e) {
            log.log(Level.SEVERE, "the control listener failed", e);
        }
    }

    /**
     * Tells the listener the subscriptions are restored, off the loop thread: the listener reads
     * the store, and the loop must keep reading Redis meanwhile.
     */
    void resubscribed() {
        Listener current = listener;
        if (current == null) {
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    current.onResubscribed();
                } catch (RuntimeException e) {
                    log.log(Level.SEVERE, "the listener failed after the Redis subscription was restored", e);
                }
            });
        } catch (RejectedExecutionException e) {
            log.warning("cannot run the store check after the Redis reconnect: the executor refused it");
        }
    }
}
