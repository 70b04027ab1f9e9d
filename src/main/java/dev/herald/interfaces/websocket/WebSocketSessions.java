package dev.herald.interfaces.websocket;

import dev.herald.application.ErrorCode;
import dev.herald.application.Gateway;
import dev.herald.application.HeraldException;
import dev.herald.application.config.HeraldConfig;
import dev.herald.application.session.ClientFrame;
import dev.herald.application.session.ClientSession;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Sequence;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What both WebSocket endpoints do: wrap the JSR-356 session, find the token, decode frames and
 * hand everything to the {@link Gateway}. Endpoint instances hold no state; the
 * {@link ClientSession} rides in the JSR-356 session's user properties.
 */
@ApplicationScoped
public class WebSocketSessions {

    private static final Logger LOG = Logger.getLogger(WebSocketSessions.class.getName());
    private static final String CLIENT_SESSION = "herald.session";

    @Inject
    Gateway gateway;

    @Inject
    HeraldConfig config;

    void open(Session session, Optional<ChannelName> channel) {
        Optional<Sequence> since = Optional.empty();
        if (channel.isPresent()) {
            try {
                since = sinceParameter(session);
            } catch (IllegalArgumentException e) {
                closeBadRequest(session, e.getMessage());
                return;
            }
        }
        connect(session, channel, since);
    }

    /**
     * Gives an opened WebSocket its limits and its Herald session (authenticated at once when the
     * handshake carried a token) and remembers the session for the other callbacks.
     */
    ClientSession connect(Session session, Optional<ChannelName> channel, Optional<Sequence> since) {
        // First the executor that drops Tyrus's do-nothing idle tasks, so that even the one
        // setMaxIdleTimeout schedules is not handed to the container's managed executor.
        TyrusIdleTimer.skipIdleTasks(session);
        session.setMaxIdleTimeout(0); // Herald's own heartbeat and idle timeout apply instead
        session.setMaxTextMessageBufferSize(config.limits().maxFrameSize());
        session.setMaxBinaryMessageBufferSize(1024);
        WebSocketConnection connection = new WebSocketConnection(session, config.limits().maxPendingBytes(),
                config.capacity().maxPendingMessages());
        ClientSession client = gateway.open(connection, token(session), channel, since);
        session.getUserProperties().put(CLIENT_SESSION, client);
        return client;
    }

    void openChannel(Session session, String namespace, String id) {
        Optional<ChannelName> channel = ChannelName.tryParse(namespace + ":" + id);
        if (channel.isEmpty()) {
            closeBadRequest(session, "invalid channel name in the URL");
            return;
        }
        open(session, channel);
    }

    void message(Session session, String text) {
        ClientSession client = client(session);
        if (client == null) {
            return;
        }
        ClientFrame frame;
        try {
            frame = FrameDecoder.decode(text);
        } catch (HeraldException e) {
            gateway.onBadFrame(client, e, FrameDecoder.refOf(e));
            return;
        }
        gateway.onFrame(client, frame);
    }

    void binary(Session session) {
        ClientSession client = client(session);
        if (client != null) {
            gateway.onBadFrame(client, new HeraldException(ErrorCode.BAD_FRAME, "binary frames are not part of the protocol; send JSON text"), null);
        }
    }

    void closed(Session session, CloseReason reason) {
        ClientSession client = client(session);
        if (client == null) {
            return;
        }
        if (reason != null) {
            gateway.closed(client, reason.getCloseCode().getCode(), reason.getReasonPhrase());
        } else {
            gateway.closed(client);
        }
    }

    void error(Session session, Throwable error) {
        // Tyrus reports a too-large frame, a reset socket or a failed decode here and then closes the session.
        LOG.log(Level.FINE, "WebSocket error on " + session.getId(), error);
        if (!session.isOpen()) {
            closed(session, null);
        }
    }

    /** The Herald session of an opened WebSocket; null before it has one. */
    static ClientSession client(Session session) {
        return (ClientSession) session.getUserProperties().get(CLIENT_SESSION);
    }

    /** The bearer token of the handshake: the Authorization header, else {@code token} or {@code access_token}. */
    static Optional<String> token(Session session) {
        Object header = session.getUserProperties().get(HandshakeCapture.AUTHORIZATION);
        Map<String, List<String>> params = session.getRequestParameterMap();
        return HandshakeToken.find(header instanceof String value ? value : null, name -> first(params, name));
    }

    private static Optional<Sequence> sinceParameter(Session session) {
        Optional<String> since = first(session.getRequestParameterMap(), "since");
        if (since.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Sequence.of(Long.parseLong(since.get())));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("since must be a non-negative integer");
        }
    }

    static Optional<String> first(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0)).filter(v -> !v.isBlank());
    }

    static void closeBadRequest(Session session, String reason) {
        try {
            session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(
                    dev.herald.application.session.CloseCode.BAD_REQUEST.code()), WebSocketConnection.truncate(reason)));
        } catch (IOException e) {
            LOG.log(Level.FINE, "close failed", e);
        }
    }
}
