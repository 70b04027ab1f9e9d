package dev.herald.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real server started once for a test class and stopped after it:
 * {@code @RegisterExtension static final PerClass<LocalRedisCluster> REDIS = new PerClass<>(LocalRedisCluster::start);}
 */
public final class PerClass<T extends AutoCloseable> implements BeforeAllCallback, AfterAllCallback {

    /** Starts the server. */
    public interface Starter<T> {
        T start() throws Exception;
    }

    private final Starter<T> starter;
    private T resource;

    public PerClass(Starter<T> starter) {
        this.starter = starter;
    }

    /** The running server. */
    public T get() {
        if (resource == null) {
            throw new IllegalStateException("not started: register this as a static @RegisterExtension field");
        }
        return resource;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        resource = starter.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (resource != null) {
            resource.close();
            resource = null;
        }
    }
}
