package dev.herald.interfaces.sse;

import dev.herald.application.ErrorCode;
import dev.herald.application.Gateway;
import dev.herald.application.HeraldException;
import dev.herald.application.config.HeraldConfig;
import dev.herald.application.session.Admission;
import dev.herald.application.session.ChannelOccupancy;
import dev.herald.application.session.ClientSession;
import dev.herald.application.session.CloseCode;
import dev.herald.application.session.Drain;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Sequence;
import dev.herald.interfaces.rest.Problems;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What the SSE transport does: find the token and the resume position, open a client session
 * through the {@link Gateway} exactly like a single-channel WebSocket, turn a refusal while
 * opening into a problem response, and otherwise start the stream. One periodic sweep writes the
 * heartbeat comments of every stream of this instance.
 */
@ApplicationScoped
public class SseStreams {

    static final String TOKEN_COOKIE = "herald_token";
    private static final Logger LOG = Logger.getLogger(SseStreams.class.getName());

    @Inject
    Gateway gateway;

    @Inject
    HeraldConfig config;

    @Inject
    ScheduledExecutorService scheduler;

    @Inject
    Admission admission;

    @Inject
    ChannelOccupancy occupancy;

    @Inject
    Executor executor;

    @Inject
    Drain drain;

    /** Closes while opening that become an HTTP answer instead of an empty stream. */
    private static final Map<CloseCode, ErrorCode> REFUSALS = Map.of(CloseCode.UNAUTHORIZED, ErrorCode.UNAUTHORIZED,
            CloseCode.FORBIDDEN, ErrorCode.FORBIDDEN, CloseCode.TRY_AGAIN_LATER, ErrorCode.CHANNEL_FULL);

    private final Set<SseConnection> open = ConcurrentHashMap.newKeySet();
    private ScheduledFuture<?> heartbeats;

    void started(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        long period = sweepPeriod(config.sse().heartbeat()).toMillis();
        heartbeats = scheduler.scheduleAtFixedRate(this::heartbeat, period, period, TimeUnit.MILLISECONDS);
    }

    void stopping(@Observes @BeforeDestroyed(ApplicationScoped.class) Object ignored) {
        if (heartbeats != null) {
            heartbeats.cancel(false);
        }
    }

    /** A quarter of the heartbeat, within 50 ms to 1 s: a comment is at most that late. */
    static Duration sweepPeriod(Duration heartbeat) {
        return Duration.ofMillis(Math.max(50, Math.min(1000, heartbeat.toMillis() / 4)));
    }

    private void heartbeat() {
        try {
            long now = System.nanoTime();
            for (SseConnection stream : open) {
                stream.heartbeat(now);
                if (stream.isEnded()) {
                    open.remove(stream);
                }
            }
        } catch (RuntimeException e) {
            // Keep the schedule alive: a failed sweep must not stop heartbeats for good.
            LOG.log(Level.SEVERE, "SSE heartbeat sweep failed", e);
        }
    }

    void open(HttpServletRequest request, HttpServletResponse response, String channelText) throws IOException {
        try {
            stream(request, response, channelText);
        } catch (HeraldException e) {
            Problems.write(response, e.code(), e.getMessage());
        }
    }

    private void stream(HttpServletRequest request, HttpServletResponse response, String channelText) throws IOException {
        if (drain.draining()) {
            throw new HeraldException(ErrorCode.DRAINING, "this instance is shutting down; reconnect to reach another one");
        }
        String token = token(request).orElseThrow(() -> new HeraldException(ErrorCode.UNAUTHORIZED,
                "send Authorization: Bearer <token>, the " + TOKEN_COOKIE + " cookie or ?token=<token>"));
        ChannelName channel = ChannelName.tryParse(channelText).orElseThrow(() -> new HeraldException(ErrorCode.INVALID_CHANNEL,
                "invalid channel name: expected namespace:id, namespace [a-z][a-z0-9_-]{0,31}, id [A-Za-z0-9._@-]{1,128}"));
        Optional<Sequence> since = lastEventId(request);
        Optional<Admission.Refusal> full = admission.admit(request.getRemoteAddr(), Optional.of(channel), "sse");
        if (full.isPresent()) {
            throw new HeraldException(full.get().code(), full.get().detail());
        }
        HeraldConfig.Sse sse = config.sse();
        SseConnection connection = new SseConnection(sse.retry(), sse.heartbeat(), config.limits().maxPendingBytes(),
                config.capacity().maxPendingMessages());
        // The same path as a single-channel WebSocket: authentication, the user's connection limit,
        // the grant check and the subscription with its replay all happen in the gateway.
        ClientSession session = gateway.open(connection, Optional.of(token), Optional.of(channel), since);
        connection.closesReportTo(session);
        Optional<CloseCode> refused = connection.closedBeforeStart();
        if (refused.isPresent() && REFUSALS.containsKey(refused.get())) {
            gateway.closed(session);
            ErrorCode code = REFUSALS.get(refused.get());
            if (code == ErrorCode.CHANNEL_FULL && !occupancy.isFull(channel)) {
                // 1013 also ends a subscription the store refused, which can happen before the stream starts.
                code = ErrorCode.STORE_UNAVAILABLE;
            }
            throw new HeraldException(code, connection.closeReason());
        }
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("text/event-stream");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-cache");
        // nginx buffers proxied responses unless told not to; an event must never wait in a buffer.
        response.setHeader("X-Accel-Buffering", "no");
        response.setHeader("Vary", "Accept");
        // Otherwise Payara queues megabytes for a client that stopped reading before isReady() says so.
        GrizzlyWriteQueue.keepEmpty(request);
        AsyncContext async = request.startAsync();
        async.setTimeout(0); // the heartbeat and the session's own closes end the stream, never a container timer
        ServletOutputStream body = response.getOutputStream();
        ServletOutput output = new ServletOutput(async, body, connection, () -> {
            open.remove(connection);
            gateway.closed(session);
        }, executor);
        async.addListener(output);
        response.flushBuffer(); // the status and headers leave now, before the first event
        body.setWriteListener(output);
        open.add(connection);
        connection.start(output);
    }

    /** The first present of: the {@code Authorization: Bearer} header, the {@code herald_token} cookie, the {@code token} query parameter. */
    static Optional<String> token(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) && !header.substring(7).isBlank()) {
            return Optional.of(header.substring(7).trim());
        }
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (Cookie cookie : cookies) {
                if (TOKEN_COOKIE.equals(cookie.getName()) && cookie.getValue() != null && !cookie.getValue().isBlank()) {
                    return Optional.of(cookie.getValue().trim());
                }
            }
        }
        return Optional.ofNullable(request.getParameter("token")).filter(t -> !t.isBlank()).map(String::trim);
    }

    /**
     * Where to resume: the {@code Last-Event-ID} header a browser sends when it reconnects, else the
     * {@code lastEventId} query parameter of a first request. The header wins because EventSource
     * reconnects to the same URL, whose parameter is older than what the stream delivered since.
     */
    static Optional<Sequence> lastEventId(HttpServletRequest request) {
        String header = request.getHeader("Last-Event-ID");
        if (header != null && !header.isBlank()) {
            return Optional.of(sequence(header.trim(), "Last-Event-ID"));
        }
        String parameter = request.getParameter("lastEventId");
        if (parameter != null && !parameter.isBlank()) {
            return Optional.of(sequence(parameter.trim(), "lastEventId"));
        }
        return Optional.empty();
    }

    private static Sequence sequence(String text, String name) {
        try {
            if (text.chars().allMatch(Character::isDigit)) {
                return Sequence.of(Long.parseLong(text));
            }
        } catch (IllegalArgumentException e) {
            // falls through: too large
        }
        throw new HeraldException(ErrorCode.INVALID_FIELD, name + " must be a non-negative integer (an event's seq)");
    }
}
