package dev.herald.interfaces.rest;

import dev.herald.application.ErrorCode;
import dev.herald.application.HeraldException;
import dev.herald.application.config.HeraldConfig;
import dev.herald.application.delivery.ServerFrames;
import dev.herald.application.security.Access;
import dev.herald.application.security.AccessPolicy;
import dev.herald.application.security.Principal;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventStore;
import dev.herald.domain.Sequence;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;

/**
 * {@code /api/channels/{channel}/events}: publish with POST (201 once committed), read the history
 * with GET. Errors are problem details; a refused publish stores nothing. {@link PublishFilter}
 * serves the POST before JAX-RS sees it; this resource answers whatever reaches JAX-RS all the same,
 * with the same {@link PublishRequests}. One instance serves every request (application scoped:
 * nothing is created or injected per request), so request state comes in as parameters.
 */
@Path("channels/{channel}/events")
@ApplicationScoped
public class ChannelEventsResource {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    @Inject
    BearerAuth auth;

    @Inject
    PublishRequests requests;

    @Inject
    AccessPolicy policy;

    @Inject
    EventStore store;

    @Inject
    HeraldConfig config;

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Response publish(@PathParam("channel") String channelText, @Context HttpHeaders headers, InputStream body) throws IOException {
        PublishRequests.Answer answer = requests.single(channelText, headers.getHeaderString(HttpHeaders.AUTHORIZATION),
                headers.getHeaderString(HttpHeaders.CONTENT_TYPE), headers.getHeaderString(PublishRequests.IDEMPOTENCY_KEY), body, headers.getLength());
        return Response.status(answer.status()).location(URI.create(answer.location()))
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(answer.json())
                .build();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response history(@PathParam("channel") String channelText, @Context HttpHeaders headers,
                            @QueryParam("since") String sinceText,
                            @QueryParam("limit") String limitText) {
        Principal principal = auth.principal(headers);
        ChannelName channel = channel(channelText);
        long since = number(sinceText, "since", 0, Long.MAX_VALUE, 0);
        int limit = (int) number(limitText, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
        requireSubscribe(principal, channel);
        Sequence head = store.head(channel);
        List<Event> events = store.read(channel, Sequence.of(since), limit);
        StringBuilder out = new StringBuilder(256).append("{\"channel\":\"").append(channel.value())
                .append("\",\"head\":").append(head.value()).append(",\"events\":[");
        for (int i = 0; i < events.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(ServerFrames.event(events.get(i)));
        }
        long last = events.isEmpty() ? since : events.get(events.size() - 1).seq().value();
        out.append("],\"next\":").append(last).append(",\"more\":").append(last < head.value()).append('}');
        return Response.ok(out.toString(), MediaType.APPLICATION_JSON_TYPE).build();
    }

    @GET
    @Path("{seq}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response one(@PathParam("channel") String channelText, @PathParam("seq") String seqText, @Context HttpHeaders headers) {
        Principal principal = auth.principal(headers);
        ChannelName channel = channel(channelText);
        long seq = number(seqText, "seq", 1, Long.MAX_VALUE, 1);
        requireSubscribe(principal, channel);
        List<Event> events = store.read(channel, Sequence.of(seq - 1), 1);
        if (events.isEmpty() || events.get(0).seq().value() != seq) {
            throw new HeraldException(ErrorCode.NOT_FOUND, "no event " + seq + " on " + channel);
        }
        return Response.ok(ServerFrames.event(events.get(0)), MediaType.APPLICATION_JSON_TYPE).build();
    }

    private void requireSubscribe(Principal principal, ChannelName channel) {
        if (!policy.allows(principal, channel, Access.SUBSCRIBE)) {
            throw new HeraldException(ErrorCode.FORBIDDEN, "not allowed to read " + channel);
        }
    }

    static ChannelName channel(String text) {
        return ChannelName.tryParse(text).orElseThrow(() -> new HeraldException(ErrorCode.INVALID_CHANNEL,
                "invalid channel name: expected namespace:id, namespace [a-z][a-z0-9_-]{0,31}, id [A-Za-z0-9._@-]{1,128}"));
    }

    private static long number(String text, String name, long min, long max, long fallback) {
        if (text == null || text.isEmpty()) {
            return fallback;
        }
        try {
            long value = Long.parseLong(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // falls through
        }
        throw new HeraldException(ErrorCode.INVALID_FIELD, "'" + name + "' must be an integer from " + min
                + (max == Long.MAX_VALUE ? "" : " to " + max));
    }
}
