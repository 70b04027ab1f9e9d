package dev.herald.infrastructure.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ThreadPerTaskTest {

    @Test
    void tasksThatNeverReturnDoNotHoldUpTheNextOne() throws Exception {
        ThreadPerTask executor = new ThreadPerTask(Thread::new);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(20);
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 20; i++) {
            executor.execute(() -> {
                threads.add(Thread.currentThread());
                started.countDown();
                try {
                    release.await(); // a loop that blocks until its owner stops it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        try {
            assertTrue(started.await(10, TimeUnit.SECONDS), "all 20 blocking tasks run at once");
            assertEquals(20, threads.size());
            threads.forEach(t -> assertNotSame(Thread.currentThread(), t));
        } finally {
            release.countDown();
        }
    }

    @Test
    void aFactoryThatRefusesAThreadIsARejection() {
        ThreadPerTask executor = new ThreadPerTask(task -> null);
        assertThrows(RejectedExecutionException.class, () -> executor.execute(() -> { }));
    }
}
