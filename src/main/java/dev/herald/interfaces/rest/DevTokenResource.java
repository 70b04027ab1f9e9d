package dev.herald.interfaces.rest;

import dev.herald.application.ErrorCode;
import dev.herald.application.HeraldException;
import dev.herald.application.config.Settings;
import dev.herald.application.delivery.JsonText;
import dev.herald.application.security.ChannelGrant;
import dev.herald.application.security.DevelopmentMode;
import dev.herald.application.security.TokenIssuer;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /api/dev/token}: development mode only (no JWT key configured), and by default only for
 * clients on this machine. Otherwise it does not exist (404).
 */
@Path("dev/token")
@RequestScoped
public class DevTokenResource {

    static final Duration MAX_TTL = Duration.ofDays(1);

    @Inject
    DevelopmentMode developmentMode;

    @Context
    HttpServletRequest request;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response token(@QueryParam("sub") String subject,
                          @QueryParam("tenant") String tenant,
                          @QueryParam("roles") List<String> roles,
                          @QueryParam("channels") List<String> channels,
                          @QueryParam("publish") List<String> publish,
                          @QueryParam("ttl") String ttlText) {
        if (!developmentMode.enabled() || !(developmentMode.allowRemote() || isLoopback(request.getRemoteAddr()))) {
            throw new HeraldException(ErrorCode.NOT_FOUND, "not found");
        }
        if (subject == null || subject.isBlank() || subject.length() > 255) {
            throw new HeraldException(ErrorCode.MISSING_FIELD, "give the user as ?sub=alice");
        }
        Duration ttl = ttl(ttlText);
        List<String> channelGrants = grants(channels, "channels");
        List<String> publishGrants = grants(publish, "publish");
        TokenIssuer issuer = developmentMode.issuer().orElseThrow();
        String token = issuer.issue(subject, Optional.ofNullable(tenant).filter(t -> !t.isBlank()), split(roles),
                channelGrants, publishGrants, ttl);
        StringBuilder out = new StringBuilder(token.length() + 64).append("{\"token\":");
        JsonText.quote(out, token).append(",\"expiresIn\":").append(ttl.toSeconds()).append('}');
        return Response.ok(out.toString(), MediaType.APPLICATION_JSON_TYPE)
                .header("Cache-Control", "no-store")
                .build();
    }

    private static Duration ttl(String text) {
        if (text == null || text.isBlank()) {
            return Duration.ofHours(1);
        }
        try {
            Duration ttl = Settings.parseDuration(text);
            if (!ttl.isZero() && ttl.compareTo(MAX_TTL) <= 0) {
                return ttl;
            }
        } catch (IllegalArgumentException e) {
            // falls through
        }
        throw new HeraldException(ErrorCode.INVALID_FIELD, "ttl must be a duration such as 30s, 10m or 1h, at most 24h");
    }

    private static List<String> grants(List<String> values, String name) {
        List<String> grants = split(values);
        for (String grant : grants) {
            try {
                new ChannelGrant(grant);
            } catch (IllegalArgumentException e) {
                throw new HeraldException(ErrorCode.INVALID_FIELD, "invalid grant in " + name + ": " + e.getMessage());
            }
        }
        return grants;
    }

    /** Accepts {@code ?roles=a&roles=b} as well as {@code ?roles=a,b}. */
    private static List<String> split(List<String> values) {
        if (values == null) {
            return List.of();
        }
        return values.stream()
                .flatMap(v -> Arrays.stream(v.split(",")))
                .map(String::trim)
                .filter(v -> !v.isEmpty())
                .toList();
    }

    private static boolean isLoopback(String address) {
        try {
            return address != null && InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
