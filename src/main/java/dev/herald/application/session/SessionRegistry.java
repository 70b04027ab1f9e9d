package dev.herald.application.session;

import dev.herald.application.SubscribeService;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Sequence;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every open client session of this instance. A session leaves through {@link #release}, called
 * from the transport's close callback and, because containers miss close callbacks under mass
 * disconnects, also by the {@link ConnectionMonitor} when it finds a connection closed.
 */
@ApplicationScoped
public class SessionRegistry {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final ConcurrentHashMap<String, ClientSession> sessions = new ConcurrentHashMap<>();
    private SubscribeService subscriptions;
    private Clock clock;

    protected SessionRegistry() {
        // for CDI proxies
    }

    @Inject
    public SessionRegistry(SubscribeService subscriptions, Clock clock) {
        this.subscriptions = subscriptions;
        this.clock = clock;
    }

    public ClientSession open(Connection connection, Optional<ChannelName> entryChannel, Optional<Sequence> entrySince) {
        ClientSession session = new ClientSession(newId(), connection, clock.millis(), entryChannel, entrySince);
        sessions.put(session.id(), session);
        return session;
    }

    /** Forgets the session and drops its subscriptions; safe to call more than once. */
    public void release(ClientSession session) {
        if (session.markReleased()) {
            sessions.remove(session.id(), session);
            subscriptions.release(session);
        }
    }

    public Optional<ClientSession> find(String id) {
        return Optional.ofNullable(sessions.get(id));
    }

    public Collection<ClientSession> all() {
        return List.copyOf(sessions.values());
    }

    public int size() {
        return sessions.size();
    }

    private static String newId() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
