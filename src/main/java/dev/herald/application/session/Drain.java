package dev.herald.application.session;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import java.util.logging.Logger;

/**
 * Graceful drain before shutdown: from the moment it starts the instance refuses new connections
 * ({@link #draining()}), and every open connection is told to reconnect elsewhere (1012) at its
 * own uniformly random moment of the drain window, so the other instances see a spread of
 * reconnects rather than a thundering herd. The broker and the store are untouched: events
 * published meanwhile still reach the connections not yet closed, and the closed ones resume from
 * their last sequence on another instance.
 */
@ApplicationScoped
public class Drain {

    private static final Logger LOG = Logger.getLogger(Drain.class.getName());
    static final String REASON = "server shutting down; reconnect and resume";

    private SessionRegistry registry;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);

    protected Drain() {
        // for CDI proxies
    }

    @Inject
    public Drain(SessionRegistry registry) {
        this.registry = registry;
    }

    /** Whether a drain has started: new connections are refused from then on, and readiness is down. */
    public boolean draining() {
        return started.get();
    }

    /** One connection and the moment of the window, counted from its start, at which it is closed. */
    public record Planned(ClientSession session, Duration at) {
    }

    /** A uniformly random moment in {@code [0, window)} for each session, earliest first. */
    public static List<Planned> plan(Collection<ClientSession> sessions, Duration window, RandomGenerator random) {
        long nanos = window.toNanos();
        List<Planned> plan = new ArrayList<>(sessions.size());
        for (ClientSession session : sessions) {
            plan.add(new Planned(session, Duration.ofNanos(nanos <= 0 ? 0 : random.nextLong(nanos))));
        }
        plan.sort(Comparator.comparing(Planned::at));
        return plan;
    }

    /**
     * Drains this instance over {@code window} and returns once every connection is closed, or
     * {@code patience} after the window if some close handshakes never finish. Only the first call
     * drains; later calls (the JVM shutdown hook and the undeploy both ask) wait for it.
     *
     * @return whether every connection had closed
     */
    public boolean drain(Duration window, Duration patience) throws InterruptedException {
        if (!started.compareAndSet(false, true)) {
            finished.await(window.plus(patience).toMillis() + 1000, TimeUnit.MILLISECONDS);
            return registry.all().stream().noneMatch(s -> s.connection().isOpen());
        }
        try {
            List<Planned> plan = plan(registry.all(), window, ThreadLocalRandom.current());
            log(() -> "draining " + plan.size() + " connections over " + window.toMillis() + " ms");
            long start = System.nanoTime();
            boolean interrupted = false;
            for (Planned planned : plan) {
                long wait = start + planned.at().toNanos() - System.nanoTime();
                if (wait > 0 && !interrupted) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(wait); // waiting for this connection's moment of the window
                    } catch (InterruptedException e) {
                        // Told to hurry: everyone left is told now rather than never.
                        interrupted = true;
                    }
                }
                close(planned.session());
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            // Handshakes that passed the door just before it shut, and connections not yet enrolled then.
            registry.all().forEach(Drain::close);
            long deadline = System.nanoTime() + patience.toNanos();
            while (registry.all().stream().anyMatch(s -> s.connection().isOpen())) {
                if (System.nanoTime() >= deadline) {
                    return false;
                }
                TimeUnit.MILLISECONDS.sleep(20); // close handshakes finish on the container's threads
            }
            return true;
        } finally {
            finished.countDown();
        }
    }

    private static void close(ClientSession session) {
        try {
            session.close(CloseCode.SERVICE_RESTART, REASON);
        } catch (RuntimeException e) {
            // A connection that broke meanwhile is gone anyway; the others must still be told.
            log(() -> "close during drain failed: " + e);
        }
    }

    /** Logging must not stop the drain: in a JVM shutdown hook the server's log handlers may already be closed and throw. */
    private static void log(java.util.function.Supplier<String> message) {
        try {
            LOG.info(message);
        } catch (RuntimeException logClosed) {
            // nothing to do: the drain matters more than its log line
        }
    }
}
