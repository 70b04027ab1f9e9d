package dev.herald.infrastructure.concurrent;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.Typed;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/** The container's managed executors, under plain JDK types so the application layer stays portable. */
@ApplicationScoped
public class Executors {

    @Resource
    private ManagedExecutorService executor;

    @Resource
    private ManagedScheduledExecutorService scheduler;

    @Produces
    @Typed(Executor.class)
    Executor executor() {
        return executor;
    }

    @Produces
    @Typed(ScheduledExecutorService.class)
    ScheduledExecutorService scheduler() {
        return scheduler;
    }
}
