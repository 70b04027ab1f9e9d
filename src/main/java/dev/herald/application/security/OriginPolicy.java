package dev.herald.application.security;

import dev.herald.application.config.HeraldConfig;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which browser origins may open a WebSocket or an SSE stream: the defence against cross-site
 * WebSocket hijacking, where a page on another site opens a connection that the browser
 * authenticates with the user's cookies. A request without {@code Origin} is not from a browser
 * page (browsers always send it on WebSocket handshakes and cross-origin requests) and is allowed;
 * otherwise the origin must be the gateway's own (scheme, host and port of the request, or of
 * {@code X-Forwarded-Proto}/{@code X-Forwarded-Host} when {@code herald.trust-forwarded-headers}
 * is on) or one of {@code herald.allowed-origins}, where {@code *} allows any.
 */
public final class OriginPolicy {

    private final Set<String> allowed;
    private final boolean any;
    private final boolean trustForwardedHeaders;

    public OriginPolicy(HeraldConfig.Origins config) {
        this.allowed = Set.copyOf(config.allowed());
        this.any = config.any();
        this.trustForwardedHeaders = config.trustForwardedHeaders();
    }

    /** What a request says about where it comes from and where it went; headers may be null. */
    public record Request(String origin, String scheme, String host, String forwardedProto, String forwardedHost) {
    }

    /** Whether the request may go on; when not, {@link #refusal} says why. */
    public boolean allows(Request request) {
        if (request.origin() == null || any) {
            return true;
        }
        Optional<String> origin = normalize(request.origin());
        if (origin.isEmpty()) {
            return false; // "null" (sandboxed frames, file: pages) or garbage: never the gateway's own
        }
        return allowed.contains(origin.get()) || ownOrigin(request).filter(origin.get()::equals).isPresent();
    }

    /** The client-facing reason for a refusal: what was refused and what to configure. */
    public static String refusal(String origin) {
        String shown = origin.length() > 200 ? origin.substring(0, 200) + "..." : origin;
        return "origin " + shown + " is not allowed: open the connection from the gateway's own origin "
                + "or add the origin to herald.allowed-origins";
    }

    /** The gateway's origin as this request reached it: the proxy's view when forwarded headers are trusted. */
    Optional<String> ownOrigin(Request request) {
        String scheme = request.scheme();
        String host = request.host();
        if (trustForwardedHeaders) {
            scheme = first(request.forwardedProto()).orElse(scheme);
            host = first(request.forwardedHost()).orElse(host);
        }
        if (scheme == null || host == null || host.isBlank()) {
            return Optional.empty();
        }
        // A WebSocket handshake is an http(s) request; its page's origin is http(s) too.
        String web = switch (scheme.toLowerCase(Locale.ROOT)) {
            case "ws" -> "http";
            case "wss" -> "https";
            default -> scheme;
        };
        return normalize(web + "://" + host.trim());
    }

    private static Optional<String> first(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String first = header.split(",", 2)[0].trim();
        return first.isEmpty() ? Optional.empty() : Optional.of(first);
    }

    /**
     * An origin as browsers send it ({@code scheme://host[:port]}), lower case and without the
     * scheme's default port; empty if the text is not such an origin ({@code null} included).
     */
    public static Optional<String> normalize(String text) {
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        String scheme = uri.getScheme();
        String path = uri.getRawPath();
        if (scheme == null || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
                || uri.getRawFragment() != null || (path != null && !path.isEmpty())) {
            return Optional.empty();
        }
        scheme = scheme.toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        return Optional.of(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port));
    }
}
