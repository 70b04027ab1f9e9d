package dev.herald.interfaces.health;

import dev.herald.application.metrics.InstanceMonitor;
import dev.herald.application.session.Drain;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import java.util.Map;
import java.util.Optional;

/**
 * Herald's MicroProfile Health checks, served by Payara Micro at {@code /health/live},
 * {@code /health/ready} and {@code /health} (docs/operations.md, "Health checks").
 *
 * <ul>
 *   <li>Liveness {@code herald}: up while the application answers; a failed liveness probe means
 *       restart, and nothing Herald can detect is cured by a restart that a restart of its
 *       dependencies would not cure better.</li>
 *   <li>Readiness {@code herald-database}: down when the database does not answer within
 *       {@code herald.health.timeout}; without it nothing can be published or replayed.</li>
 *   <li>Readiness {@code herald-broker}: up in both states. Without Redis the instance still
 *       delivers every event by polling the store (degraded: more latency, more database load), and
 *       a Redis outage usually hits every instance alike, so taking instances out of the load
 *       balancer would only move clients around. The state is in the check's data.</li>
 *   <li>Readiness {@code herald-drain}: down from the moment the instance starts draining before
 *       shutdown, so load balancers stop sending it new connections (which it refuses anyway).</li>
 * </ul>
 */
@ApplicationScoped
public class HealthChecks {

    @Inject
    InstanceMonitor monitor;

    @Inject
    Drain drain;

    @Produces
    @Liveness
    HealthCheck live() {
        return () -> response("herald", true, Map.of());
    }

    @Produces
    @Readiness
    HealthCheck database() {
        return () -> response("herald-database", monitor.storeReachable(), Map.of());
    }

    @Produces
    @Readiness
    HealthCheck broker() {
        return () -> response("herald-broker", true, Map.of("type", monitor.brokerType(), "state", monitor.brokerState()));
    }

    @Produces
    @Readiness
    HealthCheck drain() {
        return () -> response("herald-drain", !drain.draining(), Map.of());
    }

    /**
     * Built with the constructor rather than {@code HealthCheckResponse.named(..)}: the builder looks
     * up its provider through the context class loader, which fails once Payara Micro has begun to
     * shut down (it deletes the unpacked application), and readiness matters most during the drain.
     */
    private static HealthCheckResponse response(String name, boolean up, Map<String, Object> data) {
        return new HealthCheckResponse(name, up ? HealthCheckResponse.Status.UP : HealthCheckResponse.Status.DOWN,
                data.isEmpty() ? Optional.empty() : Optional.of(data));
    }
}
