package dev.herald.application.session;

import dev.herald.application.config.HeraldConfig;
import dev.herald.application.delivery.ServerFrames;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;

/**
 * One periodic sweep over all sessions instead of a timer per connection: authentication deadline,
 * heartbeat ping and timeout, idle timeout, token expiry, and sessions whose close callback the
 * container never delivered. Connections that receive no client frames (SSE) get only the token
 * expiry and the clean-up.
 */
@ApplicationScoped
public class ConnectionMonitor {

    private SessionRegistry registry;
    private Clock clock;
    private long authTimeout;
    private long interval;
    private long timeout;
    private long idleTimeout;
    private Duration clockSkew;

    protected ConnectionMonitor() {
        // for CDI proxies
    }

    @Inject
    public ConnectionMonitor(SessionRegistry registry, HeraldConfig config, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        HeraldConfig.Connection c = config.connection();
        this.authTimeout = c.authTimeout().toMillis();
        this.interval = c.heartbeatInterval().toMillis();
        this.timeout = c.heartbeatTimeout().toMillis();
        this.idleTimeout = c.idleTimeout().toMillis();
        this.clockSkew = config.jwt().clockSkew();
    }

    /** How often {@link #sweep} should run: a quarter of the shortest deadline, within 50 ms to 1 s. */
    public Duration period() {
        long shortest = Math.min(authTimeout, Math.min(interval, timeout));
        if (idleTimeout > 0) {
            shortest = Math.min(shortest, idleTimeout);
        }
        return Duration.ofMillis(Math.max(50, Math.min(1000, shortest / 4)));
    }

    public void sweep() {
        long now = clock.millis();
        for (ClientSession session : registry.all()) {
            check(session, now);
        }
    }

    private void check(ClientSession session, long now) {
        if (!session.connection().isOpen()) {
            registry.release(session);
            return;
        }
        if (!session.isAuthenticated()) {
            if (now - session.openedAtMillis() >= authTimeout) {
                session.close(CloseCode.UNAUTHORIZED, "no auth frame within " + authTimeout + " ms");
            }
            return;
        }
        // The same tolerance as at verification, so a token accepted at the handshake is not closed a moment later.
        if (!session.requirePrincipal().expiresAt().plus(clockSkew).isAfter(clock.instant())) {
            session.close(CloseCode.TOKEN_EXPIRED, session.connection().receivesClientFrames()
                    ? "token expired; send a fresh token in an auth frame before exp"
                    : "token expired; reconnect with a fresh token");
            return;
        }
        if (!session.connection().receivesClientFrames()) {
            return; // nothing to ping or to wait for: the transport keeps the stream alive itself
        }
        if (idleTimeout > 0 && now - session.lastActivityMillis() >= idleTimeout) {
            session.close(CloseCode.IDLE_TIMEOUT, "no client activity for " + idleTimeout + " ms");
            return;
        }
        long pingSent = session.pingSentMillis();
        if (pingSent > 0) {
            if (now - pingSent >= timeout) {
                session.close(CloseCode.HEARTBEAT_TIMEOUT, "no pong within " + timeout + " ms");
            }
        } else if (now - session.lastReceivedMillis() >= interval) {
            session.pingSent(now);
            session.send(ServerFrames.PING);
        }
    }
}
