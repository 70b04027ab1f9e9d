package dev.herald.interfaces.websocket;

import dev.herald.application.ErrorCode;
import dev.herald.application.Gateway;
import dev.herald.application.HeraldException;
import dev.herald.application.JsonData;
import dev.herald.application.audit.AuditFeed;
import dev.herald.application.audit.AuditFilter;
import dev.herald.application.audit.AuditTrail;
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

import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /ws/audit} sessions: authenticated and kept alive like {@code /ws} ones (the same
 * {@link Gateway}, so the heartbeat, token expiry and refresh, the per-user limit and the audit of
 * the connection itself apply), but the only client frames are {@code auth}, {@code ping},
 * {@code pong} and {@code filter}. Once authenticated, a token without the {@code admin} role is
 * closed with 4003; an administrator's session watches the {@link AuditFeed} with its filter.
 */
@ApplicationScoped
public class AuditSessions {

    private static final String FILTER = "herald.audit.filter";

    @Inject
    Gateway gateway;

    @Inject
    WebSocketSessions sessions;

    @Inject
    AuditTrail audit;

    void open(Session session) {
        Map<String, List<String>> params = session.getRequestParameterMap();
        AuditFilter filter;
        try {
            filter = AuditFilter.parse(param(params, "type"), param(params, "user"), param(params, "channel"),
                    param(params, "outcome"));
        } catch (HeraldException e) {
            WebSocketSessions.closeBadRequest(session, e.getMessage());
            return;
        }
        session.getUserProperties().put(FILTER, filter);
        admit(session, sessions.connect(session, Optional.empty(), Optional.empty()));
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
        sessions.binary(session);
    }

    void closed(Session session, CloseReason reason) {
        ClientSession client = client(session);
        if (client != null) {
            audit.feed().unwatch(client);
        }
        sessions.closed(session, reason);
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
        return WebSocketSessions.client(session);
    }
}
