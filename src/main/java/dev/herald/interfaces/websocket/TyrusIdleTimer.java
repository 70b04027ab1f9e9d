package dev.herald.interfaces.websocket;

import jakarta.websocket.Session;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Spares Tyrus a task per message that does nothing.
 *
 * <p>Tyrus restarts a session's idle timer on every message sent or received: it cancels the last
 * timer task and schedules a new one, {@code maxIdleTimeout} ahead, on the container's scheduled
 * executor. Herald sets {@code maxIdleTimeout} to 0 (its own heartbeat and idle timeout apply), and
 * for 0 Tyrus still schedules the task, with no delay, and the task then finds the timeout off and
 * does nothing. On Payara that executor is a managed one, which captures the calling thread's
 * context for every task (its class loader's jars included): most of the cost of a delivery went
 * there (see docs/performance.md).
 *
 * <p>{@link #skipIdleTasks} gives the session an executor that drops exactly those tasks (Tyrus's
 * idle-timeout command with no delay) and passes everything else to the container's executor. It
 * reaches into one private field of Tyrus's session; when that field is not there (another Tyrus,
 * another container) it changes nothing and says so once in the log.
 */
final class TyrusIdleTimer {

    private static final Logger LOG = Logger.getLogger(TyrusIdleTimer.class.getName());
    private static final String TYRUS_SESSION = "org.glassfish.tyrus.core.TyrusSession";
    private static final String IDLE_COMMAND = TYRUS_SESSION + "$IdleTimeoutCommand";
    /** One wrapper per container executor: sessions share it. */
    private static final Map<ScheduledExecutorService, ScheduledExecutorService> WRAPPERS = new ConcurrentHashMap<>();
    private static volatile Field serviceField;
    private static volatile boolean unavailable;
    private static final String TYRUS_CONTAINER = "org.glassfish.tyrus.core.BaseContainer";
    private static volatile boolean containerUnavailable;

    private TyrusIdleTimer() {
    }

    /**
     * Makes this session's zero-delay idle-timer tasks free. Call only for sessions whose
     * {@code maxIdleTimeout} stays 0.
     *
     * @return whether the session now skips them
     */
    static boolean skipIdleTasks(Session session) {
        Field field = serviceField(session.getClass());
        if (field == null) {
            return false;
        }
        try {
            Object current = field.get(session);
            if (current instanceof SkippingIdleTasks) {
                return true;
            }
            if (!(current instanceof ScheduledExecutorService container)) {
                return false;
            }
            field.set(session, WRAPPERS.computeIfAbsent(container, SkippingIdleTasks::new));
            return true;
        } catch (IllegalAccessException | RuntimeException e) {
            giveUp("its session refused the change: " + e);
            return false;
        }
    }

    /**
     * Gives every session the container creates from now on the executor that drops the do-nothing
     * idle-timer tasks, from its construction: Tyrus's session constructor already schedules one
     * (with the container's default idle timeout, 0), and on Payara each such task on the managed
     * executor saves the thread's context, a good part of a connection's set-up cost. Reaches into
     * one private field of Tyrus's container ({@code managedScheduledExecutorService}); when that
     * field is not there, or holds no executor (Tyrus then uses a plain pool of its own), it changes
     * nothing and says so once in the log. {@link #skipIdleTasks(Session)} still applies per session.
     *
     * @param container the application's {@code jakarta.websocket.server.ServerContainer}
     * @return whether new sessions now start with the skipping executor
     */
    static boolean skipIdleTasksFromTheStart(Object container) {
        if (containerUnavailable || container == null) {
            return false;
        }
        for (Class<?> c = container.getClass(); c != null; c = c.getSuperclass()) {
            if (!c.getName().equals(TYRUS_CONTAINER)) {
                continue;
            }
            try {
                Field field = c.getDeclaredField("managedScheduledExecutorService");
                if (!ScheduledExecutorService.class.isAssignableFrom(field.getType()) || Modifier.isStatic(field.getModifiers())) {
                    return giveUpOnContainer("its field 'managedScheduledExecutorService' is not an executor");
                }
                field.setAccessible(true);
                Object current = field.get(container);
                if (current instanceof SkippingIdleTasks) {
                    return true;
                }
                if (!(current instanceof ScheduledExecutorService executor)) {
                    return giveUpOnContainer("it has no managed scheduled executor");
                }
                field.set(container, WRAPPERS.computeIfAbsent(executor, SkippingIdleTasks::new));
                return true;
            } catch (NoSuchFieldException | IllegalAccessException | RuntimeException e) {
                return giveUpOnContainer("its executor could not be replaced: " + e);
            }
        }
        return giveUpOnContainer(container.getClass().getName() + " is not a " + TYRUS_CONTAINER);
    }

    private static boolean giveUpOnContainer(String why) {
        if (!containerUnavailable) {
            containerUnavailable = true;
            LOG.log(Level.INFO, "WebSocket sessions start with the container''s own scheduled executor ({0})", why);
        }
        return false;
    }

    private static Field serviceField(Class<?> sessionClass) {
        if (unavailable) {
            return null;
        }
        Field field = serviceField;
        if (field != null) {
            return field;
        }
        for (Class<?> c = sessionClass; c != null; c = c.getSuperclass()) {
            if (!c.getName().equals(TYRUS_SESSION)) {
                continue;
            }
            try {
                Field found = c.getDeclaredField("service");
                if (ScheduledExecutorService.class.isAssignableFrom(found.getType()) && !Modifier.isStatic(found.getModifiers())) {
                    found.setAccessible(true);
                    serviceField = found;
                    return found;
                }
            } catch (NoSuchFieldException | RuntimeException e) {
                giveUp("no usable field 'service' in " + TYRUS_SESSION + ": " + e);
                return null;
            }
        }
        giveUp(sessionClass.getName() + " is not " + TYRUS_SESSION);
        return null;
    }

    private static void giveUp(String why) {
        if (!unavailable) {
            unavailable = true;
            LOG.log(Level.INFO, "WebSocket idle-timer tasks are scheduled per message as the container does ({0})", why);
        }
    }

    /** The container's executor, minus the idle-timer tasks that would do nothing. */
    static final class SkippingIdleTasks implements ScheduledExecutorService {

        private final ScheduledExecutorService container;

        SkippingIdleTasks(ScheduledExecutorService container) {
            this.container = container;
        }

        /** Tyrus's idle-timeout command scheduled with no delay: the timeout is off, the task would do nothing. */
        static boolean isIdleNoOp(Runnable command, long delay) {
            return delay <= 0 && command.getClass().getName().equals(IDLE_COMMAND);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            return isIdleNoOp(command, delay) ? Skipped.INSTANCE : container.schedule(command, delay, unit);
        }

        @Override
        public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
            return container.schedule(callable, delay, unit);
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
            return container.scheduleAtFixedRate(command, initialDelay, period, unit);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
            return container.scheduleWithFixedDelay(command, initialDelay, delay, unit);
        }

        @Override
        public void shutdown() {
            container.shutdown();
        }

        @Override
        public List<Runnable> shutdownNow() {
            return container.shutdownNow();
        }

        @Override
        public boolean isShutdown() {
            return container.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return container.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return container.awaitTermination(timeout, unit);
        }

        @Override
        public <T> Future<T> submit(Callable<T> task) {
            return container.submit(task);
        }

        @Override
        public <T> Future<T> submit(Runnable task, T result) {
            return container.submit(task, result);
        }

        @Override
        public Future<?> submit(Runnable task) {
            return container.submit(task);
        }

        @Override
        public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
            return container.invokeAll(tasks);
        }

        @Override
        public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
                throws InterruptedException {
            return container.invokeAll(tasks, timeout, unit);
        }

        @Override
        public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
            return container.invokeAny(tasks);
        }

        @Override
        public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
                throws InterruptedException, ExecutionException, TimeoutException {
            return container.invokeAny(tasks, timeout, unit);
        }

        @Override
        public void execute(Runnable command) {
            container.execute(command);
        }
    }

    /** The future of a skipped task: done, never run, nothing to cancel. */
    private static final class Skipped implements ScheduledFuture<Object> {
        static final Skipped INSTANCE = new Skipped();

        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(0, other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }
}
