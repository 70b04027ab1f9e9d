package dev.herald.interfaces.websocket;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandshakeCaptureTest {

    private final WebSocketSessions sessions = new WebSocketSessions();

    private final HandshakeCapture configurator = new HandshakeCapture() {
        @Override
        WebSocketSessions sessions() {
            return sessions;
        }

        @Override
        <T> T containerInstance(Class<T> endpointClass) {
            containerCreated.add(endpointClass);
            return endpointClass.cast(new AuditEndpoint());
        }
    };

    private final List<Class<?>> containerCreated = new ArrayList<>();

    @Test
    void everyConnectionOfAClientEndpointGetsTheSameInstance() throws Exception {
        ChannelEndpoint first = configurator.getEndpointInstance(ChannelEndpoint.class);
        ChannelEndpoint second = configurator.getEndpointInstance(ChannelEndpoint.class);
        MultiplexEndpoint multiplex = configurator.getEndpointInstance(MultiplexEndpoint.class);

        assertSame(first, second);
        assertSame(multiplex, configurator.getEndpointInstance(MultiplexEndpoint.class));
        assertNotSame(first, (Object) multiplex);
        assertTrue(containerCreated.isEmpty());
    }

    @Test
    void theAuditEndpointIsLeftToTheContainerOneInstancePerConnection() throws Exception {
        AuditEndpoint first = configurator.getEndpointInstance(AuditEndpoint.class);
        AuditEndpoint second = configurator.getEndpointInstance(AuditEndpoint.class);

        assertNotSame(first, second);
        assertEquals(List.of(AuditEndpoint.class, AuditEndpoint.class), containerCreated);
    }
}
