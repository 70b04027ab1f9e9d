package dev.herald.infrastructure.concurrent;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.Typed;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The executors Herald runs its work on, under plain JDK types so the application layer stays
 * portable.
 *
 * <p>{@link Executor}: a pool of {@value #THREADS} threads from the container's managed thread
 * factory, so each thread carries the application's context (class loader, naming) from its
 * creation. Payara's managed executor service instead saves and restores the submitting thread's
 * context for every task, which cost a subscription start (one task per subscribing client) a
 * good part of its CPU in a reconnect storm. Tasks wait in an unbounded queue, as they did on
 * Payara's default managed executor ({@code server-config/preboot.asadmin} gives it a core pool of
 * 16; a thread pool with an unbounded queue never grows beyond its core).
 *
 * <p>{@link ThreadPerTask}: a thread of its own per task, from the same factory, for loops that
 * block for Herald's whole life (Redis subscriptions, the ingest stream), so they never take the
 * pool's threads.
 *
 * <p>{@link ScheduledExecutorService}: the container's managed one; it runs a few periodic tasks.
 */
@ApplicationScoped
public class Executors {

    static final int THREADS = 16;

    @Resource
    private ManagedThreadFactory threads;

    @Resource
    private ManagedScheduledExecutorService scheduler;

    private ThreadPoolExecutor executor;

    @PostConstruct
    void start() {
        executor = new ThreadPoolExecutor(THREADS, THREADS, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), threads);
        executor.allowCoreThreadTimeOut(true);
    }

    @PreDestroy
    void stop() {
        // Queued and running tasks finish; loops that run until their owner stops them are stopped by that owner.
        executor.shutdown();
    }

    @Produces
    @Typed(Executor.class)
    Executor executor() {
        return executor;
    }

    @Produces
    @Typed(ThreadPerTask.class)
    ThreadPerTask threadPerTask() {
        return new ThreadPerTask(threads);
    }

    @Produces
    @Typed(ScheduledExecutorService.class)
    ScheduledExecutorService scheduler() {
        return scheduler;
    }
}
