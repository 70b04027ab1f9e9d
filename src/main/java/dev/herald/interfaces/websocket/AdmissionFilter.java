package dev.herald.interfaces.websocket;

import dev.herald.application.ErrorCode;
import dev.herald.application.audit.AuditEvent;
import dev.herald.application.audit.AuditLog;
import dev.herald.application.audit.AuditOutcome;
import dev.herald.application.audit.AuditType;
import dev.herald.application.security.InvalidTokenException;
import dev.herald.application.security.TokenVerifier;
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
 * connections too fast, 503 when the instance or the single-channel URL's channel is full, then
 * 401 when it carries a token that is not valid. A servlet filter because JSR-356 gives an endpoint
 * no way to answer a handshake with a status of its choosing; the container's WebSocket filter
 * (Tyrus's on Payara) is registered after the application's filters, so this one sees the upgrade
 * request first.
 *
 * <p>An invalid handshake token used to be closed with 4001 from {@code @OnOpen}. On Payara that
 * close runs while the container is still completing the upgrade request: Tyrus closes the
 * servlet {@code WebConnection} inside the upgrade handler's {@code init}, so the container finishes
 * and recycles the request as a plain HTTP response while the client's reply to the close frame is
 * already being read on another thread. Under load the close frame was lost (the client saw 1006,
 * or nothing at all), with {@code NullPointerException}s from recycled request objects in the server
 * log. Refusing here creates no WebSocket at all.
 */
@WebFilter(urlPatterns = "/ws/*", asyncSupported = true)
public class AdmissionFilter extends HttpFilter {

    private static final Pattern CHANNEL_URL = Pattern.compile("/ws/([^/]+)/([^/]+)");

    @Inject
    Admission admission;

    @Inject
    TokenVerifier verifier;

    @Inject
    AuditLog audit;

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
            Optional<String> invalid = invalidToken(request);
            if (invalid.isPresent()) {
                audit.record(AuditEvent.of(AuditType.AUTH_FAILURE, AuditOutcome.DENIED).transport("websocket")
                        .with("reason", invalid.get()));
                Problems.write(response, ErrorCode.UNAUTHORIZED, invalid.get());
                return;
            }
        }
        chain.doFilter(request, response);
    }

    /** Why the handshake's token is refused; empty when it has none (it may still send an auth frame) or a valid one. */
    private Optional<String> invalidToken(HttpServletRequest request) {
        Optional<String> token = HandshakeToken.find(request.getHeader("Authorization"),
                name -> Optional.ofNullable(request.getParameter(name)).filter(v -> !v.isBlank()));
        if (token.isEmpty()) {
            return Optional.empty();
        }
        try {
            verifier.verify(token.get());
            return Optional.empty();
        } catch (InvalidTokenException e) {
            return Optional.of(e.getMessage());
        } catch (RuntimeException e) {
            // Not a verdict on the token (a key source failing): the endpoint verifies it again, as before this check.
            return Optional.empty();
        }
    }

    /** The channel of {@code /ws/{namespace}/{id}}; an invalid one is left to the endpoint to refuse. */
    static Optional<ChannelName> channel(HttpServletRequest request) {
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        Matcher m = CHANNEL_URL.matcher(path);
        return m.matches() ? ChannelName.tryParse(m.group(1) + ":" + m.group(2)) : Optional.empty();
    }
}
