package dev.herald.interfaces.rest;

import dev.herald.application.delivery.JsonText;
import dev.herald.application.metrics.InstanceMonitor;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.jar.Manifest;

/**
 * {@code GET /api/status}: a summary of the instance that answers, for tokens with the
 * {@code admin} role. It sits on the public API path that every client reaches through the load
 * balancer, so it asks for the same token as the rest of the admin API; probes and scrapers, which
 * carry no token, use {@code /health/*} and {@code /metrics}, which operators keep internal.
 */
@Path("status")
@RequestScoped
public class StatusResource {

    @Inject
    BearerAuth auth;

    @Inject
    InstanceMonitor monitor;

    @Context
    HttpHeaders headers;

    @Context
    ServletContext servlet;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response status() {
        auth.admin(headers);
        InstanceMonitor.Status s = monitor.status();
        StringBuilder out = new StringBuilder(768).append("{\"instance\":");
        JsonText.quote(out, s.instance()).append(",\"version\":");
        JsonText.quote(out, version()).append(",\"startedAt\":\"").append(s.startedAt())
                .append("\",\"uptimeSeconds\":").append(s.uptime().toSeconds())
                .append(",\"connections\":{\"total\":").append(s.connectionCount());
        for (Map.Entry<String, Integer> e : s.connections().entrySet()) {
            JsonText.quote(out.append(','), e.getKey()).append(':').append(e.getValue());
        }
        out.append("},\"subscriptions\":").append(s.subscriptions())
                .append(",\"channels\":").append(s.channels())
                .append(",\"broker\":{\"type\":");
        JsonText.quote(out, s.brokerType()).append(",\"state\":");
        JsonText.quote(out, s.brokerState()).append("},\"store\":{\"state\":\"").append(s.storeUp() ? "up" : "down")
                .append("\"},\"audit\":{\"queued\":").append(s.auditQueued()).append(",\"dropped\":").append(s.auditDropped())
                .append("},\"counters\":{\"published\":{");
        boolean first = true;
        for (Map.Entry<String, Long> e : s.published().entrySet()) {
            JsonText.quote(out.append(first ? "" : ","), e.getKey()).append(':').append(e.getValue());
            first = false;
        }
        out.append("},\"delivered\":").append(s.delivered())
                .append(",\"replayed\":").append(s.replayed())
                .append(",\"gapsRepaired\":").append(s.gapsRepaired())
                .append(",\"slowConsumerCloses\":").append(s.slowConsumerCloses())
                .append(",\"authFailures\":").append(s.authFailures())
                .append(",\"storeUnavailable\":").append(s.storeUnavailable())
                .append("}}");
        CacheControl noStore = new CacheControl();
        noStore.setNoStore(true);
        return Response.ok(out.toString(), MediaType.APPLICATION_JSON_TYPE).cacheControl(noStore).build();
    }

    /** The WAR's {@code Implementation-Version}, or {@code unknown} when it was built without one. */
    private String version() {
        try (InputStream in = servlet.getResourceAsStream("/META-INF/MANIFEST.MF")) {
            if (in != null) {
                String v = new Manifest(in).getMainAttributes().getValue("Implementation-Version");
                if (v != null) {
                    return v;
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown";
    }
}
