package dev.herald.interfaces.rest;

import dev.herald.application.ErrorCode;
import dev.herald.application.audit.AuditEvent;
import dev.herald.application.audit.AuditLog;
import dev.herald.application.audit.AuditOutcome;
import dev.herald.application.audit.AuditType;
import dev.herald.application.config.HeraldConfig;
import dev.herald.application.security.OriginPolicy;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * Applies the {@link OriginPolicy} to the requests that open connections (WebSocket handshakes
 * and SSE streams) before anything else looks at them, the token included: a refused request
 * gets a 403 {@code origin_not_allowed} problem and an {@code auth_failure} audit record.
 */
@ApplicationScoped
public class OriginGuard {

    @Inject
    HeraldConfig config;

    @Inject
    AuditLog audit;

    private OriginPolicy policy;

    @PostConstruct
    void init() {
        policy = new OriginPolicy(config.origins());
    }

    /** Whether the request may go on; if not, the refusal has been written and recorded. */
    public boolean admit(HttpServletRequest request, HttpServletResponse response, String transport) throws IOException {
        String origin = request.getHeader("Origin");
        OriginPolicy.Request described = new OriginPolicy.Request(origin, request.getScheme(), request.getHeader("Host"),
                request.getHeader("X-Forwarded-Proto"), request.getHeader("X-Forwarded-Host"));
        if (policy.allows(described)) {
            return true;
        }
        audit.record(AuditEvent.of(AuditType.AUTH_FAILURE, AuditOutcome.DENIED).transport(transport)
                .with("reason", "origin not allowed").with("origin", origin).with("address", request.getRemoteAddr()));
        Problems.write(response, ErrorCode.ORIGIN_NOT_ALLOWED, OriginPolicy.refusal(origin));
        return false;
    }
}
