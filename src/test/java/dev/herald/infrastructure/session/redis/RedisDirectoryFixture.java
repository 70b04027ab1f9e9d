package dev.herald.infrastructure.session.redis;

import dev.herald.application.broker.Broker;
import dev.herald.application.session.ConnectionDirectory;
import dev.herald.application.session.InstanceId;
import dev.herald.application.session.SharedConnectionDirectoryContract;
import dev.herald.infrastructure.redis.ControlChannel;
import dev.herald.infrastructure.redis.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Redis connection directories wired as Backends wires them, each "instance" with its own broker
 * for the control channel; the subclass says which Redis (one node or a cluster) and which broker.
 */
abstract class RedisDirectoryFixture extends SharedConnectionDirectoryContract {

    protected static final Duration TTL = Duration.ofSeconds(1);

    protected static ExecutorService executor;
    protected static ScheduledExecutorService scheduler;

    protected final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void startExecutors() {
        executor = Executors.newCachedThreadPool();
        scheduler = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void stopExecutors() {
        executor.shutdownNow();
        scheduler.shutdownNow();
    }

    @AfterEach
    void closeResources() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    protected abstract String url();

    protected abstract boolean cluster();

    /** A started broker of the subclass's kind on {@link #url()}, which is also the {@link ControlChannel}. */
    protected abstract Broker startBroker();

    @Override
    protected Duration ttl() {
        return TTL;
    }

    @Override
    protected ConnectionDirectory newDirectory(int limit) throws Exception {
        return directory(InstanceId.random(), limit, true);
    }

    @Override
    protected ConnectionDirectory newDeafDirectory(int limit) throws Exception {
        return directory(InstanceId.random(), limit, false);
    }

    /** A directory whose evictions go out on its broker; {@code listening} whether it hears the others'. */
    protected RedisConnectionDirectory directory(InstanceId id, int limit, boolean listening) throws Exception {
        return directory(id, limit, listening, new RedisCommands(url(), cluster(), "herald-state"));
    }

    /** A listening directory, as above, on the shared-state client given; closed with the test. */
    protected RedisConnectionDirectory directory(InstanceId id, int limit, boolean listening, RedisCommands commands) throws Exception {
        resources.add(commands);
        Broker broker = startBroker();
        resources.add((AutoCloseable) broker);
        RedisConnectionDirectory directory = new RedisConnectionDirectory(commands, (ControlChannel) broker, id, limit, TTL, executor);
        if (listening) {
            ((ControlChannel) broker).onControl(directory::onControl);
        }
        awaitTrue(broker::isConnected, DEADLINE, "the broker holds the control channel");
        return directory;
    }
}
