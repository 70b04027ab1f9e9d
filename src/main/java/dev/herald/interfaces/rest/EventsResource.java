package dev.herald.interfaces.rest;

import dev.herald.application.ErrorCode;
import dev.herald.application.HeraldException;
import dev.herald.application.PublishService;
import dev.herald.application.config.HeraldConfig;
import dev.herald.application.delivery.ServerFrames;
import dev.herald.application.security.Principal;
import dev.herald.domain.ChannelName;
import dev.herald.domain.EventStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /api/events}: publishes a batch of events, over any channels the token may publish
 * to, in one transaction. The answer comes after the commit and lists each event's channel,
 * sequence and time in the request's order (docs/protocol.md, section 15). Application scoped, like
 * {@link ChannelEventsResource}: request state comes in as parameters.
 */
@Path("events")
@ApplicationScoped
public class EventsResource {

    @Inject
    BearerAuth auth;

    @Inject
    PublishService publishing;

    @Inject
    HeraldConfig config;

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Response publish(@Context HttpHeaders headers, InputStream body) throws IOException {
        Principal principal = auth.principal(headers);
        EventBodies.requireJson(headers);
        JsonObject request = EventBodies.object(body, config.batches().maxBytes());
        if (!(request.get("events") instanceof JsonArray events)) {
            throw new HeraldException(request.containsKey("events") ? ErrorCode.INVALID_FIELD : ErrorCode.MISSING_FIELD,
                    "'events' must be an array of events");
        }
        if (events.isEmpty() || events.size() > config.batches().maxEvents()) {
            throw new HeraldException(ErrorCode.INVALID_FIELD,
                    "'events' must hold 1 to " + config.batches().maxEvents() + " events, not " + events.size());
        }
        List<EventStore.Append> batch = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            batch.add(append(events.get(i), "events[" + i + "]: "));
        }
        List<EventStore.Appended> results = publishing.publishAll(principal, batch, PublishService.Origin.HTTP);
        StringBuilder out = new StringBuilder(32 + 80 * results.size()).append("{\"events\":[");
        for (int i = 0; i < results.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            describe(out, results.get(i));
        }
        return Response.ok(out.append("]}").toString(), MediaType.APPLICATION_JSON_TYPE).build();
    }

    private static EventStore.Append append(JsonValue value, String where) {
        if (!(value instanceof JsonObject event)) {
            throw new HeraldException(ErrorCode.INVALID_FIELD, where + "each event must be a JSON object");
        }
        if (!(event.get("channel") instanceof JsonString channelText)) {
            throw new HeraldException(event.containsKey("channel") ? ErrorCode.INVALID_FIELD : ErrorCode.MISSING_FIELD,
                    where + "'channel' must be a channel name");
        }
        ChannelName channel = ChannelName.tryParse(channelText.getString()).orElseThrow(() -> new HeraldException(
                ErrorCode.INVALID_CHANNEL, where + "invalid channel name"));
        JsonValue key = event.get("idempotencyKey");
        if (key != null && key != JsonValue.NULL && !(key instanceof JsonString)) {
            throw new HeraldException(ErrorCode.INVALID_FIELD, where + "'idempotencyKey' must be a string");
        }
        return new EventStore.Append(channel, EventBodies.draft(event, where),
                EventBodies.key(key instanceof JsonString text ? text.getString() : null, where));
    }

    /** {@code {"channel":..,"seq":..,"ts":..}}, with {@code "duplicate":true} for a key used before. */
    static StringBuilder describe(StringBuilder out, EventStore.Appended result) {
        out.append("{\"channel\":\"").append(result.channel().value())
                .append("\",\"seq\":").append(result.seq().value())
                .append(",\"ts\":\"").append(ServerFrames.timestamp(result.ts())).append('"');
        if (result.duplicate()) {
            out.append(",\"duplicate\":true");
        }
        return out.append('}');
    }
}
