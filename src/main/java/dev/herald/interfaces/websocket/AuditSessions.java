package dev.herald.interfaces.websocket;

import dev.herald.application.ErrorCode;
import dev.herald.application.Gateway;
import dev.herald.application.HeraldException;
import dev.herald.application.JsonData;
import dev.herald.application.audit.AuditFeed;
import dev.herald.application.audit.AuditFilter;
import dev.herald.application.audit.AuditTrail;
import dev.herald.application.config.HeraldConfig;
import dev.herald.application.session.ClientFrame;
import dev.herald.application.session.ClientSession;
import dev.herald.application.session.CloseCode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code /ws/audit} sessions: authenticated and kept alive like {@code /ws} ones (the same
 * {@link Gateway}, so the heartbeat, token expiry and refresh, the per-user limit and the audit of
 * the connection itself apply), but the only client frames are {@code auth}, {@code ping},
 * {@code pong} and {@code filter}. Once authenticated, a token without the {@code admin} role is
 * closed with 4003; an administrator's session watches the {@link AuditFeed} with its filter.
 */
@ApplicationScoped
public class AuditSessions {

    private static final Logger LOG = Logger.getLogger(AuditSessions.class.getName());
    private static final String CLIENT_SESSION = "herald.session";
    private static final String FILTER = "herald.audit.filter";

    @Inject
    Gateway gateway;

    @Inject
    AuditTrail audit;

    @Inject
    HeraldConfig config;

    void open(Session session) {
        session.setMaxIdleTimeout(0);
        session.setMaxTextMessageBufferSize(config.limits().maxFrameSize());
        session.setMaxBinaryMessageBufferSize(1024);
        Map<String, List<String>> params = session.getRequestParameterMap();
        AuditFilter filter;
        try {
            filter = AuditFilter.parse(param(params, "type"), param(params, "user"), param(params, "channel"),
                    param(params, "outcome"));
        } catch (HeraldException e) {
            close(session, e.getMessage());
            return;
        }
        session.getUserProperties().put(FILTER, filter);
        WebSocketConnection connection = new WebSocketConnection(session, config.limits().maxPendingBytes(),
                config.capacity().maxPendingMessages());
        ClientSession client = gateway.open(connection, WebSocketSessions.token(session), Optional.empty(), Optional.empty());
        session.getUserProperties().put(CLIENT_SESSION, client);
        admit(session, client);
    }

    void message(Session session, String text) {
        ClientSession client = client(session);
        if (client == null) {
            return;
        }
        Optional<AuditFilter> filter;
        try {
            filter = filterFrame(text);
        } catch (HeraldException e) {
            gateway.onBadFrame(client, e, null);
            return;
        }
        if (filter.isPresent() && client.isAuthenticated()) {
            client.received(System.currentTimeMillis(), true);
            session.getUserProperties().put(FILTER, filter.get());
            if (audit.feed().isWatching(client)) {
                audit.feed().watch(client, filter.get());
                client.send(filtered(filter.get()));
            }
            return;
        }
        ClientFrame frame;
        try {
            frame = FrameDecoder.decode(text);
        } catch (HeraldException e) {
            gateway.onBadFrame(client, e, FrameDecoder.refOf(e));
            return;
        }
        if (client.isAuthenticated() && !(frame instanceof ClientFrame.Auth || frame instanceof ClientFrame.Ping
                || frame instanceof ClientFrame.Pong)) {
            gateway.onBadFrame(client, new HeraldException(ErrorCode.UNKNOWN_TYPE,
                    "/ws/audit takes only auth, ping, pong and filter frames"), null);
            return;
        }
        gateway.onFrame(client, frame);
        admit(session, client);
    }

    /** Once authenticated: an administrator starts watching, anyone else is closed with 4003; a refreshed token is checked again. */
    private void admit(Session session, ClientSession client) {
        if (!client.isAuthenticated() || client.isReleased()) {
            return;
        }
        if (!client.requirePrincipal().isAdmin()) {
            audit.feed().unwatch(client);
            client.close(CloseCode.FORBIDDEN, "the audit stream needs a token whose roles include admin");
            return;
        }
        if (!audit.feed().isWatching(client)) {
            AuditFilter filter = (AuditFilter) session.getUserProperties().get(FILTER);
            audit.feed().watch(client, filter);
            client.send(filtered(filter));
        }
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
        audit.feed().unwatch(client);
        if (reason != null) {
            gateway.closed(client, reason.getCloseCode().getCode(), reason.getReasonPhrase());
        } else {
            gateway.closed(client);
        }
    }

    /** {@code {"type":"filtered","filter":{...}}} */
    static String filtered(AuditFilter filter) {
        return "{\"type\":\"filtered\",\"filter\":" + filter.toJson() + "}";
    }

    /**
     * The filter of a {@code {"type":"filter","filter":{...}}} frame; empty for any other frame type.
     *
     * @throws HeraldException {@code invalid_field} for a filter frame with a bad filter
     */
    static Optional<AuditFilter> filterFrame(String text) {
        if (!text.contains("\"filter\"")) {
            return Optional.empty();
        }
        JsonValue value;
        try {
            value = JsonData.parse(new StringReader(text), "the frame");
        } catch (HeraldException e) {
            return Optional.empty(); // the frame decoder reports it
        }
        if (!(value instanceof JsonObject frame) || !(frame.get("type") instanceof JsonString type)
                || !"filter".equals(type.getString())) {
            return Optional.empty();
        }
        JsonValue f = frame.get("filter");
        if (f == null || f == JsonValue.NULL) {
            return Optional.of(AuditFilter.ALL);
        }
        if (!(f instanceof JsonObject filter)) {
            throw new HeraldException(ErrorCode.INVALID_FIELD, "'filter' must be an object with type, user, channel, outcome");
        }
        return Optional.of(AuditFilter.parse(string(filter, "type"), string(filter, "user"), string(filter, "channel"),
                string(filter, "outcome")));
    }

    private static String string(JsonObject filter, String field) {
        JsonValue v = filter.get(field);
        if (v == null || v == JsonValue.NULL) {
            return null;
        }
        if (v instanceof JsonString s) {
            return s.getString();
        }
        throw new HeraldException(ErrorCode.INVALID_FIELD, "filter '" + field + "' must be a string");
    }

    private static String param(Map<String, List<String>> params, String name) {
        return WebSocketSessions.first(params, name).orElse(null);
    }

    private static ClientSession client(Session session) {
        return (ClientSession) session.getUserProperties().get(CLIENT_SESSION);
    }

    private static void close(Session session, String reason) {
        try {
            session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(CloseCode.BAD_REQUEST.code()),
                    WebSocketConnection.truncate(reason)));
        } catch (IOException e) {
            LOG.log(Level.FINE, "close failed", e);
        }
    }
}
