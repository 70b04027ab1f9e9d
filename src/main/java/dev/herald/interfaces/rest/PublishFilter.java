package dev.herald.interfaces.rest;

import dev.herald.application.ErrorCode;
import dev.herald.application.HeraldException;
import dev.herald.domain.StoreUnavailableException;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves the two publish requests, {@code POST /api/channels/{channel}/events} and
 * {@code POST /api/events}, from the servlet request, before JAX-RS: on a busy publishing backend
 * Jersey's request processing (routing, scopes, parameter injection, response writing) cost more CPU
 * than the publish itself (`bench/run publish`, docs/performance.md). The answers are the
 * resources' own, byte for byte: the same {@link PublishRequests}, the same problem details
 * ({@link Problems}) for every refusal, the same absolute {@code Location}. Every other request on
 * these paths goes on to JAX-RS.
 */
// Async supported: the SSE streams under /api/channels/* pass through this filter and go asynchronous.
@WebFilter(urlPatterns = {"/api/channels/*", "/api/events"}, asyncSupported = true)
public class PublishFilter extends HttpFilter {

    private static final Logger LOG = Logger.getLogger(PublishFilter.class.getName());
    private static final Pattern CHANNEL_EVENTS = Pattern.compile("/api/channels/([^/]+)/events");

    @Inject
    PublishRequests requests;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!"POST".equals(request.getMethod())) {
            chain.doFilter(request, response);
            return;
        }
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        Matcher single = CHANNEL_EVENTS.matcher(path);
        boolean batch = "/api/events".equals(path);
        if (!batch && !single.matches()) {
            chain.doFilter(request, response);
            return;
        }
        PublishRequests.Answer answer;
        try {
            answer = batch
                    ? requests.batch(request.getHeader("Authorization"), request.getContentType(), request.getInputStream(),
                            request.getContentLengthLong())
                    : requests.single(single.group(1), request.getHeader("Authorization"), request.getContentType(),
                            request.getHeader(PublishRequests.IDEMPOTENCY_KEY), request.getInputStream(), request.getContentLengthLong());
        } catch (HeraldException e) {
            Problems.write(response, e.code(), e.getMessage());
            return;
        } catch (StoreUnavailableException e) {
            LOG.warning(() -> "request refused: " + e.getMessage());
            Problems.write(response, ErrorCode.STORE_UNAVAILABLE, null);
            return;
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "request failed", e);
            Problems.write(response, ErrorCode.INTERNAL_ERROR, null);
            return;
        }
        byte[] body = answer.json().getBytes(StandardCharsets.UTF_8);
        response.setStatus(answer.status());
        if (answer.location() != null) {
            response.setHeader("Location", origin(request) + request.getContextPath() + answer.location());
        }
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** {@code scheme://host[:port]} of the request, as JAX-RS resolves a relative {@code Location} against. */
    static String origin(HttpServletRequest request) {
        StringBuffer url = request.getRequestURL();
        int path = url.indexOf("/", url.indexOf("//") + 2);
        return path < 0 ? url.toString() : url.substring(0, path);
    }
}
