package dev.herald.interfaces.rest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;

/**
 * {@code POST /api/events}: publishes a batch of events, over any channels the token may publish
 * to, in one transaction. The answer comes after the commit and lists each event's channel,
 * sequence and time in the request's order (docs/protocol.md, section 15). {@link PublishFilter}
 * serves this request before JAX-RS sees it; this resource answers whatever reaches JAX-RS all the
 * same, with the same {@link PublishRequests}.
 */
@Path("events")
@ApplicationScoped
public class EventsResource {

    @Inject
    PublishRequests requests;

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Response publish(@Context HttpHeaders headers, InputStream body) throws IOException {
        PublishRequests.Answer answer = requests.batch(headers.getHeaderString(HttpHeaders.AUTHORIZATION),
                headers.getHeaderString(HttpHeaders.CONTENT_TYPE), body, headers.getLength());
        return Response.ok(answer.json(), MediaType.APPLICATION_JSON_TYPE).build();
    }
}
