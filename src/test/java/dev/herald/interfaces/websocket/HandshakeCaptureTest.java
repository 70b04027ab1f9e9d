package dev.herald.interfaces.websocket;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HandshakeCaptureTest {

    private final WebSocketSessions sessions = new WebSocketSessions();

    private final HandshakeCapture configurator = new HandshakeCapture() {
        @Override
        WebSocketSessions sessions() {
            return sessions;
        }
    };

    @Test
    void everyConnectionOfAnEndpointGetsTheSameInstance() throws Exception {
        ChannelEndpoint first = configurator.getEndpointInstance(ChannelEndpoint.class);
        ChannelEndpoint second = configurator.getEndpointInstance(ChannelEndpoint.class);
        MultiplexEndpoint multiplex = configurator.getEndpointInstance(MultiplexEndpoint.class);

        assertSame(first, second);
        assertSame(multiplex, configurator.getEndpointInstance(MultiplexEndpoint.class));
        assertNotSame(first, (Object) multiplex);
    }

    @Test
    void anEndpointThatIsNotHeraldsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> configurator.getEndpointInstance(AuditEndpoint.class));
    }
}
