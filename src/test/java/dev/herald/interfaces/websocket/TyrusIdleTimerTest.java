package dev.herald.interfaces.websocket;

import jakarta.websocket.Session;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Only Tyrus's do-nothing idle-timer tasks are skipped; every other task still runs. */
class TyrusIdleTimerTest {

    private final ScheduledExecutorService container = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        container.shutdownNow();
    }

    @Test
    void otherTasksWithNoDelayStillRun() throws InterruptedException {
        TyrusIdleTimer.SkippingIdleTasks executor = new TyrusIdleTimer.SkippingIdleTasks(container);
        CountDownLatch ran = new CountDownLatch(1);

        executor.schedule(ran::countDown, 0, TimeUnit.MILLISECONDS);

        assertTrue(ran.await(10, TimeUnit.SECONDS));
    }

    @Test
    void onlyTheIdleCommandWithNoDelayCountsAsNothingToDo() {
        Runnable other = () -> { };
        assertFalse(TyrusIdleTimer.SkippingIdleTasks.isIdleNoOp(other, 0));
        assertFalse(TyrusIdleTimer.SkippingIdleTasks.isIdleNoOp(other, 30_000));
    }

    @Test
    void aSessionOfAnotherImplementationIsLeftAlone() {
        Session foreign = (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> null);

        assertFalse(TyrusIdleTimer.skipIdleTasks(foreign));
    }

    @Test
    void aContainerOfAnotherImplementationIsLeftAlone() {
        Object foreign = new Object();

        assertFalse(TyrusIdleTimer.skipIdleTasksFromTheStart(foreign));
        assertFalse(TyrusIdleTimer.skipIdleTasksFromTheStart(null));
    }
}
