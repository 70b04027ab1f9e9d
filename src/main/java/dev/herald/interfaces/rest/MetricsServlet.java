package dev.herald.interfaces.rest;

import dev.herald.application.metrics.InstanceMonitor;
import dev.herald.application.metrics.PrometheusText;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics}: Herald's metrics in the Prometheus text format 0.0.4, without a token, for
 * scrapers inside the operator's network (docs/security.md says how to keep it there).
 *
 * <p>Payara Micro adds its own MicroProfile Metrics servlet to the root web application under
 * {@code /metrics/*}; this exact mapping takes precedence for {@code /metrics} itself, while
 * Payara's JVM and server metrics stay at {@code /metrics/base} and {@code /metrics/vendor}.
 */
@WebServlet(urlPatterns = "/metrics", asyncSupported = true)
public class MetricsServlet extends HttpServlet {

    @Inject
    InstanceMonitor monitor;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        byte[] body = monitor.prometheus().getBytes(StandardCharsets.UTF_8);
        response.setStatus(200);
        response.setContentType(PrometheusText.CONTENT_TYPE);
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
