package dev.herald.interfaces.sse;

import dev.herald.interfaces.rest.OriginGuard;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /api/channels/{channel}/events} with {@code Accept: text/event-stream}: the channel as
 * a server-sent event stream. Every other request on these paths, the JSON history of the same URL
 * included, goes on to the JAX-RS API. A filter rather than a JAX-RS method because the stream is
 * written with the servlet API's non-blocking output.
 */
@WebFilter(urlPatterns = "/api/channels/*", asyncSupported = true)
public class ChannelStreamFilter extends HttpFilter {

    private static final Pattern EVENTS = Pattern.compile("/api/channels/([^/]+)/events");

    @Inject
    SseStreams streams;

    @Inject
    OriginGuard origins;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if ("GET".equals(request.getMethod()) && wantsEventStream(request.getHeader("Accept"))) {
            String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
            Matcher events = EVENTS.matcher(path);
            if (events.matches()) {
                if (origins.admit(request, response, "sse")) {
                    streams.open(request, response, events.group(1));
                }
                return;
            }
        }
        chain.doFilter(request, response);
    }

    /** Whether the Accept header names {@code text/event-stream} (without {@code q=0}), as EventSource sends it. */
    static boolean wantsEventStream(String accept) {
        if (accept == null) {
            return false;
        }
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            if (parts[0].trim().toLowerCase(Locale.ROOT).equals("text/event-stream")) {
                for (int i = 1; i < parts.length; i++) {
                    String param = parts[i].trim().toLowerCase(Locale.ROOT).replace(" ", "");
                    if (param.matches("q=0(\\.0{0,3})?")) {
                        return false;
                    }
                }
                return true;
            }
        }
        return false;
    }
}
