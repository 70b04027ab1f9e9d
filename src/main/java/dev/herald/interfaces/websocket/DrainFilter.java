package dev.herald.interfaces.websocket;

import dev.herald.application.ErrorCode;
import dev.herald.application.session.Drain;
import dev.herald.interfaces.rest.Problems;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * Refuses WebSocket handshakes with 503 {@code draining} (and {@code Retry-After}) once the
 * instance drains, before the upgrade: a client that reconnects after its 1012 must land on
 * another instance, never back here. Tyrus upgrades in a filter of its own that comes after the
 * application's, so this one sees the handshake first.
 */
@WebFilter(urlPatterns = {"/ws", "/ws/*"}, asyncSupported = true)
public class DrainFilter extends HttpFilter {

    @Inject
    Drain drain;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (drain.draining() && "websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            Problems.write(response, ErrorCode.DRAINING, "this instance is shutting down; reconnect to reach another one");
            return;
        }
        chain.doFilter(request, response);
    }
}
