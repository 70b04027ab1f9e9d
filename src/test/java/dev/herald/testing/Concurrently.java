package dev.herald.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs a few tasks on their own threads at the same moment, for tests of thread-safety guarantees. */
public final class Concurrently {

    /** One task of a concurrent run; {@code index} is 0 to threads - 1. */
    @FunctionalInterface
    public interface Task<T> {
        T run(int index) throws Exception;
    }

    private Concurrently() {
    }

    /**
     * Starts {@code threads} tasks, releases them together through a barrier so that they really
     * overlap, and returns their results in index order.
     *
     * @throws AssertionError when a task fails or the tasks are not all done within {@code deadline}
     */
    public static <T> List<T> run(int threads, Duration deadline, Task<T> task) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CyclicBarrier start = new CyclicBarrier(threads);
        try {
            List<Future<T>> futures = new ArrayList<>(threads);
            for (int i = 0; i < threads; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    start.await(deadline.toMillis(), TimeUnit.MILLISECONDS);
                    return task.run(index);
                }));
            }
            pool.shutdown();
            if (!pool.awaitTermination(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(threads + " concurrent tasks did not finish within " + deadline);
            }
            List<T> results = new ArrayList<>(threads);
            for (Future<T> future : futures) {
                results.add(resultOf(future));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> T resultOf(Future<T> future) throws InterruptedException {
        try {
            return future.get(0, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BrokenBarrierException || cause instanceof TimeoutException) {
                throw new AssertionError("concurrent tasks could not start together", cause);
            }
            throw new AssertionError("a concurrent task failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new AssertionError("a concurrent task had no result after its pool terminated", e);
        }
    }
}
