package dev.herald.interfaces.websocket;

import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

import java.nio.ByteBuffer;

/**
 * {@code GET /ws/audit}: the live audit stream for administrators, filtered by the query parameters
 * {@code type}, {@code user}, {@code channel}, {@code outcome} or a {@code filter} frame.
 */
@ServerEndpoint(value = "/ws/audit", configurator = HandshakeCapture.class)
public class AuditEndpoint {

    @Inject
    AuditSessions sessions;

    @OnOpen
    public void open(Session session) {
        sessions.open(session);
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
        if (!session.isOpen()) {
            sessions.closed(session, null);
        }
    }
}
