package dev.herald.interfaces.rest;

import dev.herald.application.ErrorCode;
import dev.herald.application.HeraldException;
import dev.herald.application.admin.AdminService;
import dev.herald.application.delivery.JsonText;
import dev.herald.application.security.Principal;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code /api/admin}: what the admin console reads and does, for tokens with the {@code admin}
 * role. Connections and channels are those of the instance that answers (see docs/protocol.md);
 * disconnects reach every instance.
 */
@Path("admin")
@RequestScoped
public class AdminResource {

    @Inject
    BearerAuth auth;

    @Inject
    AdminService admin;

    @Context
    HttpHeaders headers;

    @GET
    @Path("connections")
    @Produces(MediaType.APPLICATION_JSON)
    public Response connections(@QueryParam("user") String user) {
        auth.admin(headers);
        List<AdminService.ConnectionInfo> items = admin.connections(Optional.ofNullable(user).filter(u -> !u.isBlank()));
        StringBuilder out = new StringBuilder(64 + items.size() * 200).append("{\"items\":[");
        for (int i = 0; i < items.size(); i++) {
            AdminService.ConnectionInfo c = items.get(i);
            out.append(i == 0 ? "{" : ",{").append("\"id\":");
            JsonText.quote(out, c.id()).append(",\"user\":");
            JsonText.quote(out, c.user()).append(",\"instance\":");
            JsonText.quote(out, c.instance()).append(",\"transport\":");
            JsonText.quote(out, c.transport()).append(",\"channels\":[");
            for (int j = 0; j < c.channels().size(); j++) {
                JsonText.quote(out.append(j == 0 ? "" : ","), c.channels().get(j));
            }
            out.append("],\"connectedAt\":\"").append(c.connectedAt()).append("\",\"messagesSent\":").append(c.messagesSent()).append('}');
        }
        return ok(out.append("]}"));
    }

    @DELETE
    @Path("connections/{id}")
    public Response disconnect(@PathParam("id") String id) {
        Principal principal = auth.admin(headers);
        if (!admin.disconnectConnection(principal, id)) {
            throw new HeraldException(ErrorCode.NOT_FOUND, "no connection " + id);
        }
        return Response.noContent().build();
    }

    @DELETE
    @Path("users/{user}/connections")
    @Produces(MediaType.APPLICATION_JSON)
    public Response disconnectUser(@PathParam("user") String user) {
        Principal principal = auth.admin(headers);
        return ok(new StringBuilder("{\"closed\":").append(admin.disconnectUser(principal, user)).append('}'));
    }

    @GET
    @Path("channels")
    @Produces(MediaType.APPLICATION_JSON)
    public Response channels() {
        auth.admin(headers);
        List<AdminService.ChannelInfo> items = admin.channels();
        StringBuilder out = new StringBuilder(64 + items.size() * 100).append("{\"items\":[");
        for (int i = 0; i < items.size(); i++) {
            AdminService.ChannelInfo c = items.get(i);
            out.append(i == 0 ? "{" : ",{").append("\"channel\":");
            JsonText.quote(out, c.channel()).append(",\"subscribers\":").append(c.subscribers())
                    .append(",\"head\":").append(c.head())
                    .append(",\"eventsPerSecond\":").append(String.format(Locale.ROOT, "%.3f", c.eventsPerSecond())).append('}');
        }
        return ok(out.append("]}"));
    }

    @GET
    @Path("health")
    @Produces(MediaType.APPLICATION_JSON)
    public Response health() {
        auth.admin(headers);
        AdminService.Health h = admin.health();
        StringBuilder out = new StringBuilder(256).append("{\"instance\":");
        JsonText.quote(out, h.instance()).append(",\"status\":\"").append(h.up() ? "UP" : "DEGRADED")
                .append("\",\"startedAt\":\"").append(h.startedAt()).append("\",\"connections\":").append(h.connections())
                .append(",\"broker\":{\"type\":\"").append(h.brokerType()).append("\",\"connected\":").append(h.brokerConnected())
                .append("},\"store\":{\"up\":").append(h.storeUp())
                .append("},\"audit\":{\"queued\":").append(h.auditQueued()).append(",\"dropped\":").append(h.auditDropped())
                .append("}}");
        return ok(out);
    }

    private static Response ok(CharSequence json) {
        return Response.ok(json.toString(), MediaType.APPLICATION_JSON_TYPE).build();
    }
}
