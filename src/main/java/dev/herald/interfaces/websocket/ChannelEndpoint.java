package dev.herald.interfaces.websocket;

import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.PathParam;
import jakarta.websocket.server.ServerEndpoint;

import java.nio.ByteBuffer;

/**
 * {@code GET /ws/{namespace}/{id}}: a connection subscribed to {@code namespace:id} as soon as it is
 * authenticated, from the {@code since} query parameter if given. A token that does not grant the
 * channel closes it with 4003.
 */
@ServerEndpoint(value = "/ws/{namespace}/{id}", configurator = HandshakeCapture.class)
public class ChannelEndpoint {

    private final WebSocketSessions sessions;

    /** Only {@link HandshakeCapture} creates it: one instance serves every connection. */
    ChannelEndpoint(WebSocketSessions sessions) {
        this.sessions = sessions;
    }

    @OnOpen
    public void open(Session session, @PathParam("namespace") String namespace, @PathParam("id") String id) {
        sessions.openChannel(session, namespace, id);
    }

    @OnMessage
    public void pong(Session session, PongMessage pong) {
        WebSocketConnection.pong(session, pong.getApplicationData());
    }

    @OnMessage
    public void message(Session session, String text) {
        sessions.message(session, text);
    }

    @OnMessage
    public void binary(Session session, ByteBuffer data) {
        sessions.binary(session);
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        sessions.closed(session, reason);
    }

    @OnError
    public void error(Session session, Throwable error) {
        sessions.error(session, error);
    }
}
