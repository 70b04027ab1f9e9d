package dev.herald.application.session;

import dev.herald.application.SubscribeService;
import dev.herald.application.audit.AuditEvent;
import dev.herald.application.audit.AuditLog;
import dev.herald.application.audit.AuditOutcome;
import dev.herald.application.audit.AuditType;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Sequence;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Every open client session of this instance. A session leaves through {@link #release}, called
 * from the transport's close callback and, because containers miss close callbacks under mass
 * disconnects, also by the {@link ConnectionMonitor} when it finds a connection closed.
 *
 * <p>Authenticated sessions are also counted against their user's connection limit in the
 * {@link ConnectionDirectory}, across instances; the directory tells this registry which of its
 * sessions a newer connection replaced, and the registry closes them with 4008.
 */
@ApplicationScoped
public class SessionRegistry {

    private static final Logger LOG = Logger.getLogger(SessionRegistry.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ConcurrentHashMap<String, ClientSession> sessions = new ConcurrentHashMap<>();
    private SubscribeService subscriptions;
    private ConnectionDirectory directory;
    private Clock clock;
    private AuditLog audit = AuditLog.NONE;

    /** Close codes that mean a limit ended the connection; each also gets a {@code limit} audit record. */
    private static final Set<Integer> LIMIT_CODES = Set.of(CloseCode.FRAME_TOO_BIG.code(), CloseCode.REPLACED.code(),
            CloseCode.SLOW_CONSUMER.code(), CloseCode.RATE_LIMITED.code());

    protected SessionRegistry() {
        // for CDI proxies
    }

    @Inject
    public SessionRegistry(SubscribeService subscriptions, ConnectionDirectory directory, Clock clock) {
        this.subscriptions = subscriptions;
        this.directory = directory;
        this.clock = clock;
    }

    /** Where this registry reports what it audits; {@link AuditLog#NONE} until set. */
    @Inject
    public void recordTo(AuditLog audit) {
        this.audit = audit;
    }

    /** Starts listening for evictions; CDI calls it once, tests call it by hand. */
    @PostConstruct
    public void start() {
        directory.listen(this::replaced);
    }

    public ClientSession open(Connection connection, Optional<ChannelName> entryChannel, Optional<Sequence> entrySince) {
        ClientSession session = new ClientSession(newId(), connection, clock.millis(), entryChannel, entrySince);
        sessions.put(session.id(), session);
        return session;
    }

    /**
     * Counts a newly authenticated session against its user's limit. When the user now has more
     * connections than {@code herald.limits.connections-per-user}, on all instances together, the
     * oldest are closed with 4008 wherever they are; this one stays.
     */
    public void enroll(ClientSession session) {
        String user = session.requirePrincipal().subject();
        directory.register(user, session.id(), clock.instant());
        audit.record(AuditEvent.of(AuditType.CONNECT, AuditOutcome.OK).session(session));
        if (session.isReleased()) {
            // Closed while registering: its release may have unregistered before the register ran.
            directory.unregister(user, session.id());
        }
    }

    /**
     * Forgets the session, drops its subscriptions and its place in the user's limit; safe to call
     * more than once and from any thread. When a frame of the session is being handled, the release
     * happens right after it (see {@link ClientSession#handle}), so an ack received before the close
     * is stored before the release completes.
     */
    public void release(ClientSession session) {
        session.release(() -> {
            sessions.remove(session.id(), session);
            // The slot first: once presence no longer lists the session, it no longer counts either.
            session.principal().ifPresent(p -> directory.unregister(p.subject(), session.id()));
            subscriptions.release(session);
            audit(session);
        });
    }

    /**
     * The audit of a session's end: a disconnect with its close code and reason; for a session that
     * never authenticated and was refused (4001), an auth failure instead; for a close by a limit,
     * a limit record as well.
     */
    private void audit(ClientSession session) {
        Optional<ClientSession.Closing> closing = session.closing();
        Integer code = closing.map(ClientSession.Closing::code).orElse(null);
        String reason = closing.map(ClientSession.Closing::reason).orElse("connection lost");
        if (!session.isAuthenticated()) {
            if (code != null && code == CloseCode.UNAUTHORIZED.code()) {
                audit.record(AuditEvent.of(AuditType.AUTH_FAILURE, AuditOutcome.DENIED).session(session)
                        .with("reason", reason));
            }
            return;
        }
        if (code != null && LIMIT_CODES.contains(code)) {
            audit.record(AuditEvent.of(AuditType.LIMIT, AuditOutcome.DENIED).session(session)
                    .with("code", code).with("reason", reason));
        }
        audit.record(AuditEvent.of(AuditType.DISCONNECT, AuditOutcome.OK).session(session)
                .with("code", code).with("reason", reason)
                .with("messagesSent", session.messagesSent()));
    }

    private void replaced(String connectionId) {
        ClientSession session = sessions.get(connectionId);
        if (session != null) {
            LOG.fine(() -> "connection " + connectionId + " replaced by a newer connection of its user");
            session.close(CloseCode.REPLACED, CloseCode.REPLACED.reason());
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
