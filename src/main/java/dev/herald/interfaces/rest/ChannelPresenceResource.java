package dev.herald.interfaces.rest;

import dev.herald.application.delivery.ServerFrames;
import dev.herald.application.presence.PresenceService;
import dev.herald.application.security.Principal;
import dev.herald.domain.ChannelName;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /api/channels/{channel}/presence}: who is subscribed to the channel on every instance,
 * for a caller who may subscribe to it. Errors are problem details.
 */
@Path("channels/{channel}/presence")
@RequestScoped
public class ChannelPresenceResource {

    @Inject
    BearerAuth auth;

    @Inject
    PresenceService presence;

    @Context
    HttpHeaders headers;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response presence(@PathParam("channel") String channelText) {
        Principal principal = auth.principal(headers);
        ChannelName channel = ChannelEventsResource.channel(channelText);
        return Response.ok(ServerFrames.presenceBody(channel, presence.list(principal, channel)), MediaType.APPLICATION_JSON_TYPE)
                .build();
    }
}
