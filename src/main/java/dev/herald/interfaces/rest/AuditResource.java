package dev.herald.interfaces.rest;

import dev.herald.application.ErrorCode;
import dev.herald.application.HeraldException;
import dev.herald.application.audit.AuditFilter;
import dev.herald.application.audit.AuditPage;
import dev.herald.application.audit.AuditQuery;
import dev.herald.application.audit.AuditTrail;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * {@code GET /api/audit}: search the audit trail, newest first, for administrators. Records reach
 * the store within about {@code herald.audit.flush-interval} of happening.
 */
@Path("audit")
@RequestScoped
public class AuditResource {

    @Inject
    BearerAuth auth;

    @Inject
    AuditTrail audit;

    @Context
    HttpHeaders headers;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response search(@QueryParam("type") String type, @QueryParam("user") String user,
                           @QueryParam("channel") String channel, @QueryParam("outcome") String outcome,
                           @QueryParam("from") String from, @QueryParam("to") String to,
                           @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        auth.admin(headers);
        AuditQuery query = new AuditQuery(AuditFilter.parse(type, user, channel, outcome), instant(from, "from"),
                instant(to, "to"), limit(limit),
                Optional.ofNullable(cursor).filter(c -> !c.isBlank()).map(AuditQuery.Cursor::decode));
        AuditPage page = audit.search(query);
        StringBuilder out = new StringBuilder(256 + page.items().size() * 300).append("{\"items\":[");
        for (int i = 0; i < page.items().size(); i++) {
            out.append(i == 0 ? "" : ",").append(page.items().get(i).toJson());
        }
        out.append("],\"next\":").append(page.next().map(c -> "\"" + c.encode() + "\"").orElse("null")).append('}');
        return Response.ok(out.toString(), MediaType.APPLICATION_JSON_TYPE).build();
    }

    private static Optional<Instant> instant(String text, String name) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            throw new HeraldException(ErrorCode.INVALID_FIELD, "'" + name + "' must be an ISO-8601 instant such as 2026-01-31T12:00:00Z");
        }
    }

    private static int limit(String text) {
        if (text == null || text.isBlank()) {
            return AuditQuery.DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(text);
            if (n >= 1 && n <= AuditQuery.MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through
        }
        throw new HeraldException(ErrorCode.INVALID_FIELD, "'limit' must be an integer from 1 to " + AuditQuery.MAX_LIMIT);
    }
}
