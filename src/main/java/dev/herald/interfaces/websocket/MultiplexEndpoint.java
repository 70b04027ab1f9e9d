package dev.herald.interfaces.websocket;

import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

import java.nio.ByteBuffer;
import java.util.Optional;

/** {@code GET /ws}: one connection, any number of channels through subscribe and unsubscribe frames. */
@ServerEndpoint(value = "/ws", configurator = HandshakeCapture.class)
public class MultiplexEndpoint {

    private final WebSocketSessions sessions;

    /** Only {@link HandshakeCapture} creates it: one instance serves every connection. */
    MultiplexEndpoint(WebSocketSessions sessions) {
        this.sessions = sessions;
    }

    @OnOpen
    public void open(Session session) {
        sessions.open(session, Optional.empty());
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
