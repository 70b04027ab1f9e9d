package dev.herald.interfaces.rest;

import dev.herald.application.ErrorCode;
import dev.herald.application.HeraldException;
import dev.herald.application.PublishService;
import dev.herald.application.config.HeraldConfig;
import dev.herald.application.delivery.ServerFrames;
import dev.herald.application.security.Principal;
import dev.herald.domain.ChannelName;
import dev.herald.domain.EventDraft;
import dev.herald.domain.EventStore;
import dev.herald.domain.IdempotencyKey;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The two HTTP publish requests, {@code POST /api/channels/{channel}/events} and
 * {@code POST /api/events}, independent of how they arrive: {@link PublishFilter} serves them
 * straight from the servlet request, {@link ChannelEventsResource} and {@link EventsResource} through
 * JAX-RS. Every refusal is a {@link HeraldException} with its documented code; nothing is stored then.
 */
@ApplicationScoped
public class PublishRequests {

    /** The header naming a publish, so that a repeated request stores its event only once. */
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    @Inject
    BearerAuth auth;

    @Inject
    PublishService publishing;

    @Inject
    HeraldConfig config;

    /**
     * What to answer: 201 (stored) or 200 (a repeated idempotency key), the path of the event, and the JSON body.
     *
     * @param location the event's path, {@code /api/channels/{channel}/events/{seq}}; null for a batch
     */
    record Answer(int status, String location, String json) {
    }

    /** One event to one channel; the headers as sent (null when absent), the body's declared length (-1 when absent). */
    Answer single(String channelText, String authorization, String contentType, String idempotencyKey, InputStream body, long length)
            throws IOException {
        Principal principal = auth.principal(authorization);
        ChannelName channel = ChannelEventsResource.channel(channelText);
        EventBodies.requireJson(contentType);
        IdempotencyKey key = EventBodies.key(idempotencyKey, IDEMPOTENCY_KEY + ": ");
        EventDraft draft = EventBodies.draft(EventBodies.object(body, length, config.limits().maxFrameSize()), "");
        EventStore.Appended result = key == null
                ? EventStore.Appended.of(publishing.publish(principal, channel, draft, PublishService.Origin.HTTP))
                : publishing.publishAll(principal, List.of(new EventStore.Append(channel, draft, key)), PublishService.Origin.HTTP).get(0);
        return new Answer(result.duplicate() ? 200 : 201,
                "/api/channels/" + result.channel().value() + "/events/" + result.seq().value(),
                describe(new StringBuilder(96), result).toString());
    }

    /** A batch over any channels, in one transaction (docs/protocol.md, section 15). */
    Answer batch(String authorization, String contentType, InputStream body, long length) throws IOException {
        Principal principal = auth.principal(authorization);
        EventBodies.requireJson(contentType);
        JsonObject request = EventBodies.object(body, length, config.batches().maxBytes());
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
        return new Answer(200, null, out.append("]}").toString());
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
