package dev.herald.interfaces.websocket;

import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The configurator of Herald's client endpoints.
 *
 * <p>Copies the {@code Authorization} header into the session's user properties: JSR-356 shows
 * request headers only during the handshake. Tyrus 2 gives every handshake its own copy of the
 * properties (eclipse-ee4j/tyrus#776), so concurrent handshakes cannot see each other's header.
 *
 * <p>Hands every connection to a client endpoint ({@link ChannelEndpoint}, {@link MultiplexEndpoint})
 * the same instance. These endpoints hold nothing of their own
 * (the {@link dev.herald.application.session.ClientSession} rides in the session's user
 * properties), and letting the container create one per connection through CDI cost a Weld
 * injection target, a creational context and injection points per connection, kept until it
 * closed (about 1 KiB each), and their set-up on every connect.
 */
public class HandshakeCapture extends ServerEndpointConfig.Configurator {

    static final String AUTHORIZATION = "herald.authorization";

    private final Map<Class<?>, Object> endpoints = new ConcurrentHashMap<>();

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        config.getUserProperties().remove(AUTHORIZATION);
        List<String> values = request.getHeaders().get("Authorization");
        if (values == null) {
            values = request.getHeaders().get("authorization");
        }
        if (values != null && !values.isEmpty()) {
            config.getUserProperties().put(AUTHORIZATION, values.get(0));
        }
    }

    /**
     * The shared instance of a client endpoint; any other endpoint that uses this configurator (the
     * audit stream's) is created by the container as before.
     */
    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) throws InstantiationException {
        if (endpointClass != ChannelEndpoint.class && endpointClass != MultiplexEndpoint.class) {
            return containerInstance(endpointClass);
        }
        Object endpoint = endpoints.get(endpointClass);
        if (endpoint == null) {
            endpoint = endpoints.computeIfAbsent(endpointClass, this::create);
        }
        return endpointClass.cast(endpoint);
    }

    private Object create(Class<?> endpointClass) {
        return endpointClass == ChannelEndpoint.class ? new ChannelEndpoint(sessions()) : new MultiplexEndpoint(sessions());
    }

    /** A new instance from the container's own configurator (CDI-aware on Payara); a seam for tests, which run without one. */
    <T> T containerInstance(Class<T> endpointClass) throws InstantiationException {
        return super.getEndpointInstance(endpointClass);
    }

    /** The application's {@link WebSocketSessions}; a seam for tests, which run without CDI. */
    WebSocketSessions sessions() {
        return CDI.current().select(WebSocketSessions.class).get();
    }
}
