package dev.herald.interfaces.websocket;

import dev.herald.application.session.Admission;
import dev.herald.domain.ChannelName;
import dev.herald.interfaces.rest.Problems;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Refuses a WebSocket handshake with an HTTP status before the upgrade: 429 when its address opens
 * connections too fast, 503 when the instance or the single-channel URL's channel is full. A
 * servlet filter because JSR-356 gives an endpoint no way to answer a handshake with a status of its
 * choosing; the container's WebSocket filter (Tyrus's on Payara) is registered after the
 * application's filters, so this one sees the upgrade request first.
 */
@WebFilter(urlPatterns = "/ws/*", asyncSupported = true)
public class AdmissionFilter extends HttpFilter {

    private static final Pattern CHANNEL_URL = Pattern.compile("/ws/([^/]+)/([^/]+)");

    @Inject
    Admission admission;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String upgrade = request.getHeader("Upgrade");
        if (upgrade != null && upgrade.equalsIgnoreCase("websocket")) {
            Optional<Admission.Refusal> refusal = admission.admit(request.getRemoteAddr(), channel(request), "websocket");
            if (refusal.isPresent()) {
                Problems.write(response, refusal.get().code(), refusal.get().detail());
                return;
            }
        }
        chain.doFilter(request, response);
    }

    /** The channel of {@code /ws/{namespace}/{id}}; an invalid one is left to the endpoint to refuse. */
    static Optional<ChannelName> channel(HttpServletRequest request) {
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        Matcher m = CHANNEL_URL.matcher(path);
        return m.matches() ? ChannelName.tryParse(m.group(1) + ":" + m.group(2)) : Optional.empty();
    }
}
