package dev.herald.application;

import dev.herald.application.audit.AuditEvent;
import dev.herald.application.audit.AuditLog;
import dev.herald.application.audit.AuditOutcome;
import dev.herald.application.audit.AuditType;
import dev.herald.application.config.HeraldConfig;
import dev.herald.application.delivery.ServerFrames;
import dev.herald.application.presence.PresenceService;
import dev.herald.application.security.Access;
import dev.herald.application.security.AccessPolicy;
import dev.herald.application.security.InvalidTokenException;
import dev.herald.application.security.Principal;
import dev.herald.application.security.TokenVerifier;
import dev.herald.application.session.ClientFrame;
import dev.herald.application.session.ClientSession;
import dev.herald.application.session.CloseCode;
import dev.herald.application.session.Connection;
import dev.herald.application.session.SessionRegistry;
import dev.herald.application.session.Subscription;
import dev.herald.application.session.TokenBucket;
import dev.herald.domain.AckStore;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.Sequence;
import dev.herald.domain.StoreUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The protocol's session logic, independent of the transport: opening, authenticating, handling
 * each client frame, and closing. Transports decode frames and call in; everything they send goes
 * through the session's {@link Connection}.
 */
@ApplicationScoped
public class Gateway {

    private static final Logger LOG = Logger.getLogger(Gateway.class.getName());
    private static final Pattern COMMAND_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.:-]{0,63}");

    private TokenVerifier verifier;
    private SessionRegistry registry;
    private SubscribeService subscriptions;
    private PublishService publishing;
    private AccessPolicy policy;
    private AckStore acks;
    private PresenceService presence;
    private Consumer<ClientCommand> commands;
    private HeraldConfig config;
    private Clock clock;
    private AuditLog audit = AuditLog.NONE;

    protected Gateway() {
        // for CDI proxies
    }

    @Inject
    public Gateway(TokenVerifier verifier, SessionRegistry registry, SubscribeService subscriptions,
                   PublishService publishing, AccessPolicy policy, AckStore acks, PresenceService presence,
                   jakarta.enterprise.event.Event<ClientCommand> commands, HeraldConfig config, Clock clock) {
        this(verifier, registry, subscriptions, publishing, policy, acks, presence,
                (Consumer<ClientCommand>) commands::fire, config, clock);
    }

    public Gateway(TokenVerifier verifier, SessionRegistry registry, SubscribeService subscriptions,
                   PublishService publishing, AccessPolicy policy, AckStore acks, PresenceService presence,
                   Consumer<ClientCommand> commands, HeraldConfig config, Clock clock) {
        this.verifier = verifier;
        this.registry = registry;
        this.subscriptions = subscriptions;
        this.publishing = publishing;
        this.policy = policy;
        this.acks = acks;
        this.presence = presence;
        this.commands = commands;
        this.config = config;
        this.clock = clock;
    }

    /** Where the gateway reports failed token refreshes; {@link AuditLog#NONE} until set. */
    @Inject
    public void recordTo(AuditLog audit) {
        this.audit = audit;
    }

    /**
     * Registers a new connection. With a token from the handshake it is authenticated at once;
     * without one the client has {@code herald.auth-timeout} to send an {@code auth} frame.
     */
    public ClientSession open(Connection connection, Optional<String> token,
                              Optional<ChannelName> entryChannel, Optional<Sequence> entrySince) {
        ClientSession session = registry.open(connection, entryChannel, entrySince);
        HeraldConfig.Capacity capacity = config.capacity();
        session.limitFrames(new TokenBucket(capacity.messagesPerSecond(), capacity.messageBurst(), clock.millis()));
        token.ifPresent(t -> session.handle(() -> authenticate(session, t)));
        return session;
    }

    /**
     * Handles one decoded client frame. Frames of one session are handled one at a time and never
     * overlap its release (a close from another thread waits for the frame in hand); once the
     * session is released only acks are still applied, since nobody reads an answer any more.
     */
    public void onFrame(ClientSession session, ClientFrame frame) {
        session.handle(() -> handleFrame(session, frame));
    }

    private void handleFrame(ClientSession session, ClientFrame frame) {
        if (session.isReleased() && !(frame instanceof ClientFrame.Ack)) {
            return;
        }
        if (overRate(session)) {
            return;
        }
        session.received(clock.millis(), frame.isActivity());
        if (!session.isAuthenticated()) {
            if (frame instanceof ClientFrame.Auth auth) {
                try {
                    authenticate(session, auth.token());
                } catch (RuntimeException e) {
                    LOG.log(Level.SEVERE, "authenticating connection " + session.id() + " failed", e);
                    session.close(CloseCode.INTERNAL_ERROR, "authentication failed on the server; reconnect");
                }
            } else {
                session.close(CloseCode.UNAUTHORIZED, "the first frame must be auth");
            }
            return;
        }
        try {
            handle(session, frame);
        } catch (HeraldException e) {
            session.send(ServerFrames.error(e.code(), e.getMessage(), refOf(frame)));
        } catch (StoreUnavailableException e) {
            LOG.warning(() -> "frame " + frame.getClass().getSimpleName() + " refused: " + e.getMessage());
            session.send(ServerFrames.error(ErrorCode.STORE_UNAVAILABLE, ErrorCode.STORE_UNAVAILABLE.title(), refOf(frame)));
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "frame " + frame.getClass().getSimpleName() + " on connection " + session.id() + " failed", e);
            session.send(ServerFrames.error(ErrorCode.INTERNAL_ERROR, "internal error", refOf(frame)));
        }
    }

    /** Reports a frame the transport could not decode; the connection stays open. */
    public void onBadFrame(ClientSession session, HeraldException problem, String ref) {
        if (overRate(session)) {
            return;
        }
        session.received(clock.millis(), true);
        if (!session.isAuthenticated()) {
            session.close(CloseCode.UNAUTHORIZED, "the first frame must be auth");
            return;
        }
        session.send(ServerFrames.error(problem.code(), problem.getMessage(), ref));
    }

    /** Closes a client that sends frames faster than {@code herald.limits.client-messages-per-second} (4029). */
    private boolean overRate(ClientSession session) {
        if (session.admitFrame(clock.millis())) {
            return false;
        }
        if (session.connection().isOpen()) {
            session.close(CloseCode.RATE_LIMITED, "more than " + config.capacity().messagesPerSecond()
                    + " frames per second; reconnect after a delay");
        }
        return true;
    }

    public void closed(ClientSession session) {
        registry.release(session);
    }

    /**
     * The transport reports the close with its code and reason (the client's, or the server's own
     * as the transport saw it), for the audit; then the session is released.
     */
    public void closed(ClientSession session, int code, String reason) {
        session.closedWith(code, reason);
        registry.release(session);
    }

    private void handle(ClientSession session, ClientFrame frame) {
        if (frame instanceof ClientFrame.Auth auth) {
            refresh(session, auth.token());
        } else if (frame instanceof ClientFrame.Subscribe s) {
            subscriptions.subscribe(session, s.channel(), s.since(), s.ref());
        } else if (frame instanceof ClientFrame.Unsubscribe u) {
            subscriptions.unsubscribe(session, u.channel(), u.ref());
        } else if (frame instanceof ClientFrame.Ack a) {
            acknowledge(session, a.channel(), a.seq());
        } else if (frame instanceof ClientFrame.Ping) {
            session.send(ServerFrames.PONG);
        } else if (frame instanceof ClientFrame.Publish p) {
            Event event = publishing.publish(session.requirePrincipal(), p.channel(),
                    PublishService.draft(p.event(), p.data(), p.correlationId()),
                    new PublishService.Origin(session.transport(), session.id()));
            session.send(ServerFrames.published(event.channel(), event.seq(), event.ts(), p.ref()));
        } else if (frame instanceof ClientFrame.Command c) {
            command(session, c);
        } else if (frame instanceof ClientFrame.Presence p) {
            session.send(ServerFrames.presence(p.channel(), presence.list(session.requirePrincipal(), p.channel()), p.ref()));
        }
        // Pong: nothing beyond the liveness already recorded.
    }

    /** The token's principal, or empty after closing the connection with 4001. */
    private Optional<Principal> verifyOrClose(ClientSession session, String token) {
        try {
            return Optional.of(verifier.verify(token));
        } catch (InvalidTokenException e) {
            if (session.isAuthenticated()) {
                // A failed refresh; a connection that never authenticated is audited when it is released.
                audit.record(AuditEvent.of(AuditType.AUTH_FAILURE, AuditOutcome.DENIED).session(session)
                        .with("reason", e.getMessage()).with("refresh", true));
            }
            session.close(CloseCode.UNAUTHORIZED, e.getMessage());
            return Optional.empty();
        }
    }

    private void authenticate(ClientSession session, String token) {
        Optional<Principal> verified = verifyOrClose(session, token);
        if (verified.isEmpty()) {
            return;
        }
        Principal principal = verified.get();
        session.authenticate(principal);
        if (session.entryChannel().isPresent()) {
            // A single-channel connection the user may not have is refused before it counts
            // against the user's limit, so it never replaces one of their working connections.
            try {
                subscriptions.requireAllowed(session, session.entryChannel().get());
            } catch (HeraldException e) {
                session.close(CloseCode.FORBIDDEN, e.getMessage());
                return;
            }
        }
        HeraldConfig.Connection c = config.connection();
        // Counted before welcomed: a client that has its welcome is registered, and any older
        // connection it replaced on this instance is already closing.
        registry.enroll(session);
        session.send(ServerFrames.welcome(session.id(), principal.subject(), c.heartbeatInterval(), c.heartbeatTimeout()));
        session.entryChannel().ifPresent(channel -> {
            try {
                subscriptions.subscribe(session, channel, session.entrySince(), null);
            } catch (HeraldException e) {
                // A full channel may have room in a moment; a refused grant will not change.
                session.close(e.code() == ErrorCode.CHANNEL_FULL ? CloseCode.TRY_AGAIN_LATER : CloseCode.FORBIDDEN, e.getMessage());
            }
        });
    }

    private void refresh(ClientSession session, String token) {
        Optional<Principal> verified = verifyOrClose(session, token);
        if (verified.isEmpty()) {
            return;
        }
        Principal principal = verified.get();
        if (!principal.subject().equals(session.requirePrincipal().subject())) {
            audit.record(AuditEvent.of(AuditType.AUTH_FAILURE, AuditOutcome.DENIED).session(session)
                    .with("reason", "a refreshed token must name the same subject").with("refresh", true));
            session.close(CloseCode.UNAUTHORIZED, "a refreshed token must name the same subject");
            return;
        }
        session.authenticate(principal);
        subscriptions.revokeUngranted(session);
        session.send(ServerFrames.refreshed(principal.subject(), principal.expiresAt()));
    }

    private void acknowledge(ClientSession session, ChannelName channel, Sequence seq) {
        Subscription sub = session.subscriptions().get(channel);
        if (sub == null) {
            throw new HeraldException(ErrorCode.NOT_SUBSCRIBED, "not subscribed to " + channel);
        }
        if (seq.value() < 1 || seq.value() > sub.cursor()) {
            throw new HeraldException(ErrorCode.INVALID_ACK,
                    "cannot acknowledge " + seq + ": the last event sent on " + channel + " is " + sub.cursor());
        }
        // Frames of a session are handled one at a time, so nothing moves acked() between the check
        // and the store; it moves only once the store has the ack, so a client told
        // store_unavailable can send the same ack again.
        if (seq.value() > sub.acked()) {
            acks.acknowledge(session.requirePrincipal().subject(), channel, seq);
            sub.advanceAck(seq.value());
        }
    }

    private void command(ClientSession session, ClientFrame.Command c) {
        Principal principal = session.requirePrincipal();
        if (!policy.allows(principal, c.channel(), Access.SUBSCRIBE)) {
            throw new HeraldException(ErrorCode.FORBIDDEN, "not allowed to send commands about " + c.channel());
        }
        if (!COMMAND_NAME.matcher(c.name()).matches()) {
            throw new HeraldException(ErrorCode.INVALID_FIELD, "invalid command name: must match " + COMMAND_NAME.pattern());
        }
        try {
            commands.accept(new ClientCommand(session.id(), principal, c.channel(), c.name(), c.data(), c.ref()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "command " + c.name() + " on " + c.channel() + " failed in the application", e);
            throw new HeraldException(ErrorCode.COMMAND_FAILED, "the application could not handle the command");
        }
        session.send(ServerFrames.accepted(c.channel(), c.name(), c.ref()));
    }

    private static String refOf(ClientFrame frame) {
        if (frame instanceof ClientFrame.Subscribe s) {
            return s.ref();
        } else if (frame instanceof ClientFrame.Unsubscribe u) {
            return u.ref();
        } else if (frame instanceof ClientFrame.Publish p) {
            return p.ref();
        } else if (frame instanceof ClientFrame.Command c) {
            return c.ref();
        } else if (frame instanceof ClientFrame.Ack a) {
            return a.ref();
        } else if (frame instanceof ClientFrame.Presence p) {
            return p.ref();
        }
        return null;
    }
}
