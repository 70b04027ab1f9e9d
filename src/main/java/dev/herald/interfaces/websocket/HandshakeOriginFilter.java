package dev.herald.interfaces.websocket;

import dev.herald.interfaces.rest.OriginGuard;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * Refuses WebSocket handshakes from origins the {@link OriginGuard} does not admit with HTTP 403,
 * before the upgrade. A servlet filter rather than {@code Configurator.checkOrigin}: that method
 * sees the {@code Origin} header alone, and the default policy needs the request's own host to
 * tell same-origin. Tyrus registers its upgrade filter for {@code /*} after the application's
 * declared filters, so this one runs first.
 */
@WebFilter(urlPatterns = {"/ws", "/ws/*"}, asyncSupported = true)
public class HandshakeOriginFilter extends HttpFilter {

    @Inject
    OriginGuard guard;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (guard.admit(request, response, "websocket")) {
            chain.doFilter(request, response);
        }
    }
}
