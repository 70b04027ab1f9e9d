package dev.herald.interfaces.sse;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reflective path from a servlet request to Grizzly's connection, over stand-ins that have
 * the public methods Payara's classes have; the real classes are covered by {@code SlowSseReadersIT}.
 */
class GrizzlyWriteQueueTest {

    /** Stands for Grizzly's connection: the default limit is four times the send buffer. */
    public static final class Connection {
        int maxAsyncWriteQueueSize = 4 * 2_626_560;

        public void setMaxAsyncWriteQueueSize(int size) {
            maxAsyncWriteQueueSize = size;
        }
    }

    /** Stands for Grizzly's request. */
    public static final class GrizzlyRequest {
        final Connection connection = new Connection();

        public Connection getConnection() {
            return connection;
        }
    }

    /** Stands for Catalina's request. */
    public static final class CatalinaRequest {
        final GrizzlyRequest grizzly = new GrizzlyRequest();

        public GrizzlyRequest getCoyoteRequest() {
            return grizzly;
        }
    }

    /** Stands for Payara's request facade: a servlet request that can give out Catalina's. */
    public interface RequestFacade extends ServletRequest {
        CatalinaRequest getUnwrappedCoyoteRequest();
    }

    private static RequestFacade facade(String protocol, CatalinaRequest catalina) {
        return (RequestFacade) Proxy.newProxyInstance(GrizzlyWriteQueueTest.class.getClassLoader(),
                new Class<?>[] {RequestFacade.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getProtocol" -> protocol;
                    case "getUnwrappedCoyoteRequest" -> catalina;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void anHttp11StreamOnPayaraGetsAnEmptyWriteQueueThroughAnyWrappers() {
        CatalinaRequest catalina = new CatalinaRequest();
        ServletRequest wrapped = new ServletRequestWrapper(new ServletRequestWrapper(facade("HTTP/1.1", catalina)));

        assertTrue(GrizzlyWriteQueue.keepEmpty(wrapped));

        assertEquals(0, catalina.grizzly.connection.maxAsyncWriteQueueSize);
    }

    @Test
    void anHttp2StreamKeepsItsSharedConnectionsQueue() {
        CatalinaRequest catalina = new CatalinaRequest();

        assertFalse(GrizzlyWriteQueue.keepEmpty(facade("HTTP/2.0", catalina)));

        assertEquals(4 * 2_626_560, catalina.grizzly.connection.maxAsyncWriteQueueSize);
    }

    @Test
    void anotherContainersRequestIsLeftAlone() {
        ServletRequest other = (ServletRequest) Proxy.newProxyInstance(GrizzlyWriteQueueTest.class.getClassLoader(),
                new Class<?>[] {ServletRequest.class}, (proxy, method, args) -> "getProtocol".equals(method.getName()) ? "HTTP/1.1" : null);

        assertFalse(GrizzlyWriteQueue.keepEmpty(other));
    }
}
