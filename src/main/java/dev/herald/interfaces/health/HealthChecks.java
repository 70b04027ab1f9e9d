package dev.herald.interfaces.health;

import dev.herald.application.metrics.InstanceMonitor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

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
 * </ul>
 */
@ApplicationScoped
public class HealthChecks {

    @Inject
    InstanceMonitor monitor;

    @Produces
    @Liveness
    HealthCheck live() {
        return () -> HealthCheckResponse.named("herald").up().build();
    }

    @Produces
    @Readiness
    HealthCheck database() {
        return () -> HealthCheckResponse.named("herald-database").status(monitor.storeReachable()).build();
    }

    @Produces
    @Readiness
    HealthCheck broker() {
        return () -> HealthCheckResponse.named("herald-broker").up()
                .withData("type", monitor.brokerType())
                .withData("state", monitor.brokerState())
                .build();
    }
}
