package dev.herald.interfaces.websocket;

import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;

import java.util.List;

/**
 * Copies the {@code Authorization} header into the session's user properties: JSR-356 shows
 * request headers only during the handshake. Tyrus 2 gives every handshake its own copy of the
 * properties (eclipse-ee4j/tyrus#776), so concurrent handshakes cannot see each other's header.
 */
public class HandshakeCapture extends ServerEndpointConfig.Configurator {

    static final String AUTHORIZATION = "herald.authorization";

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
}
