package dev.herald.infrastructure.concurrent;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;

/**
 * Runs every task on a new thread of its own. For the loops that block for as long as Herald runs
 * (a Redis subscription, one per shard of a cluster, the ingest stream) and the rare tasks of
 * their owners: on the shared pool each loop would hold one of its threads for good, and enough of
 * them (a cluster with many shards) would leave none for subscriptions.
 */
public final class ThreadPerTask implements Executor {

    private final ThreadFactory threads;

    public ThreadPerTask(ThreadFactory threads) {
        this.threads = threads;
    }

    @Override
    public void execute(Runnable task) {
        Thread thread = threads.newThread(task);
        if (thread == null) {
            throw new RejectedExecutionException("the thread factory refused a thread (shutting down)");
        }
        thread.start();
    }
}
