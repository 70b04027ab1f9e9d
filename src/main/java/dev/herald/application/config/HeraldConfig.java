package dev.herald.application.config;

import dev.herald.application.security.OriginPolicy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every setting Herald reads, with its default, in one immutable tree. Built once at start-up from
 * MicroProfile Config (where {@code herald.jwt.secret} can also be given as {@code HERALD_JWT_SECRET});
 * the README's configuration table lists the same keys and defaults.
 */
public record HeraldConfig(Jwt jwt, Connection connection, Limits limits, Replay replay, Database database,
                           Broker broker, Presence presence, Retention retention, Dev dev, Streams streams,
                           Audit audit, Sse sse, Observability observability, Origins origins, Capacity capacity,
                           Shutdown shutdown, Batches batches) {

    /**
     * Token verification. With no key at all Herald runs in development mode.
     *
     * @param issuers trusted issuers, each with its own JWKS and algorithms ({@code herald.jwt.issuers});
     *                an alternative to one secret, public key or JWKS URL
     * @param jwks    how JWKS keys are cached and refreshed, for every JWKS URL
     */
    public record Jwt(Optional<String> secret, Optional<String> publicKey, Optional<String> jwksUrl,
                      Optional<String> issuer, Optional<String> audience, Duration clockSkew,
                      List<Issuer> issuers, Jwks jwks) {

        public Jwt {
            issuers = List.copyOf(issuers);
        }

        /** One key source and no named issuers, with the default JWKS caching. */
        public Jwt(Optional<String> secret, Optional<String> publicKey, Optional<String> jwksUrl,
                   Optional<String> issuer, Optional<String> audience, Duration clockSkew) {
            this(secret, publicKey, jwksUrl, issuer, audience, clockSkew, List.of(), Jwks.DEFAULT);
        }

        public boolean developmentMode() {
            return secret.isEmpty() && publicKey.isEmpty() && jwksUrl.isEmpty() && issuers.isEmpty();
        }
    }

    /**
     * A trusted token issuer: tokens whose {@code iss} equals {@code issuer} are verified with the keys
     * of {@code jwksUrl} and only with {@code algorithms}, all asymmetric (RS, PS, ES families).
     */
    public record Issuer(String name, String issuer, String jwksUrl, Set<String> algorithms) {

        /** The algorithms an issuer may name: asymmetric only, so a public key can never act as an HMAC secret. */
        public static final Set<String> ALLOWED_ALGORITHMS = Set.of(
                "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");

        public Issuer {
            algorithms = Set.copyOf(algorithms);
        }
    }

    /**
     * @param cacheTtl        a JWKS older than this is fetched again when next needed (kept if the fetch fails)
     * @param refreshInterval a token naming a key id the cache does not hold refetches the JWKS at most once per
     *                        this interval and issuer, so a flood of random key ids cannot hammer the JWKS endpoint
     */
    public record Jwks(Duration cacheTtl, Duration refreshInterval) {
        public static final Jwks DEFAULT = new Jwks(Duration.ofMinutes(10), Duration.ofSeconds(30));
    }

    /**
     * Which browser origins may open a WebSocket or an SSE stream. A request without {@code Origin}
     * (not a browser) is always allowed; a request from the gateway's own origin too.
     *
     * @param allowed               further origins ({@code scheme://host[:port]}, lower case, default port left
     *                              out), or {@code *} for any
     * @param trustForwardedHeaders whether the request's own origin is taken from {@code X-Forwarded-Proto} and
     *                              {@code X-Forwarded-Host} (only behind a proxy that sets them)
     */
    public record Origins(List<String> allowed, boolean trustForwardedHeaders) {

        public Origins {
            allowed = List.copyOf(allowed);
        }

        public boolean any() {
            return allowed.contains("*");
        }
    }

    /** Per-connection timings. A zero idle timeout disables the idle close. */
    public record Connection(Duration authTimeout, Duration heartbeatInterval, Duration heartbeatTimeout,
                             Duration idleTimeout) {
    }

    /**
     * @param maxFrameSize       largest client frame and HTTP publish body, in bytes (bigger frames close with 1009)
     * @param maxPendingBytes    bytes queued for one connection before it is closed as a slow consumer
     * @param connectionsPerUser authenticated connections one user may hold across all instances; a newer one
     *                           closes the oldest with 4008; zero means no limit
     */
    public record Limits(int maxFrameSize, long maxPendingBytes, int connectionsPerUser) {
    }

    /**
     * @param pageSize     events read from the store per query while replaying
     * @param recentEvents events each active channel keeps in memory, encoded, for subscribers that resume
     *                     from a recent position (reconnect storms); zero keeps none
     */
    public record Replay(int pageSize, int recentEvents) {
    }

    /** @param acquireTimeout how long a request waits for a database connection before failing with 503 */
    public record Database(String url, String user, String password, int poolSize, Duration acquireTimeout) {
    }

    /**
     * @param redisUrl          {@code redis://host:port}; empty keeps the in-memory broker (one instance)
     * @param redisCluster      use Redis Cluster with sharded pub/sub (SSUBSCRIBE/SPUBLISH)
     * @param headCheckInterval how often every active channel's stored head is compared with what was delivered
     * @param pollInterval      how often the store is polled instead while the broker is disconnected
     * @param reorderWindow     how long an event that arrives ahead of its predecessor waits for it
     *                          before the missing events are read from the store; zero reads at once
     */
    public record Broker(Optional<String> redisUrl, boolean redisCluster, Duration headCheckInterval,
                         Duration pollInterval, Duration reorderWindow) {
    }

    /**
     * How an instance keeps its entries in the state it shares with the others (its users'
     * connections for the per-user limit, its subscriptions for presence). Every
     * {@code refreshInterval} it renews them; an entry not renewed for {@code ttl} (its instance
     * crashed or lost Redis) no longer counts. Without Redis there is nothing to share.
     *
     * @param refreshInterval how often each instance renews its entries
     * @param ttl             how long an entry lives without renewal; at least twice the interval
     */
    public record Presence(Duration refreshInterval, Duration ttl) {
    }

    /**
     * How much history the store keeps. Every interval one instance at a time (whichever holds the
     * retention lease) deletes, channel by channel, the events older than {@code maxAge} and all but
     * the newest {@code maxEvents}, oldest first and never more than {@code batchSize} rows per
     * transaction. A channel's head survives, so its numbering continues after everything was
     * deleted; a replay from before the oldest kept event answers {@code recovered:false}.
     *
     * @param maxAge    events older than this are deleted; zero keeps events of any age
     * @param maxEvents events kept per channel, the newest; zero keeps any number
     * @param interval  how often each instance tries to run a sweep
     * @param batchSize rows deleted per statement and transaction, and channels listed per query
     */
    public record Retention(Duration maxAge, int maxEvents, Duration interval, int batchSize) {

        /** Whether there is anything to delete: with both limits at zero the store keeps everything. */
        public boolean enabled() {
            return !maxAge.isZero() || maxEvents > 0;
        }
    }

    /**
     * The Redis Streams that connect workers in other languages; used only when
     * {@code herald.redis.url} is set.
     *
     * @param ingestEnabled     whether this instance consumes {@code ingestStream} and publishes its entries
     * @param ingestStream      where other programs add events to publish; rejected entries go to
     *                          {@link #rejectedStream()}
     * @param commandsStream    where every client command is added
     * @param commandsMaxLength the command stream is trimmed to about this many entries; zero never trims
     */
    public record Streams(boolean ingestEnabled, String ingestStream, String commandsStream, int commandsMaxLength) {

        /** Where refused ingest entries are recorded: the ingest stream's name followed by {@code :rejected}. */
        public String rejectedStream() {
            return ingestStream + ":rejected";
        }
    }

    /**
     * The audit trail ({@code GET /api/audit}, {@code /ws/audit}).
     *
     * @param maxAge        records older than this are deleted; zero keeps them for ever
     * @param queueSize     records waiting for the store (and, separately, for the other instances) before new ones are dropped
     * @param batchSize     records inserted per transaction, and deleted per retention statement
     * @param flushInterval how often queued records are written and sent to the other instances
     * @param maxWait       how long a record waits for room in a full queue while the store is up (back-pressure
     *                      on whoever records) before it is dropped; zero drops at once
     */
    public record Audit(Duration maxAge, int queueSize, int batchSize, Duration flushInterval, Duration maxWait) {
    }

    /**
     * Server-sent event streams ({@code GET /api/channels/{channel}/events} with
     * {@code Accept: text/event-stream}).
     *
     * @param heartbeat a stream with nothing written for this long gets a {@code : ping} comment, which keeps
     *                  proxies from closing it and finds dead clients when the write fails
     * @param retry     the reconnection delay suggested to the browser in the stream's {@code retry:} line
     */
    public record Sse(Duration heartbeat, Duration retry) {
    }

    /**
     * Logs, health checks and metrics.
     *
     * @param jsonLogs      {@code herald.log.format=json}: Herald's own log records are written to standard output
     *                      as one JSON object per line instead of through the server's text log
     * @param healthTimeout longest a readiness probe waits for the database check before reporting it down
     */
    public record Observability(boolean jsonLogs, Duration healthTimeout) {
    }

    /**
     * The limits that keep one instance serving everyone when some clients misbehave: how many
     * connections it accepts, how many subscribe to one channel, how fast connections and frames may
     * come, and how much one slow connection may hold queued. Each zero disables its limit.
     *
     * @param connectionsPerChannel      subscribers of one channel on this instance, unless its namespace has an override
     * @param connectionsPerNamespace    per-namespace overrides of {@code connectionsPerChannel}, by namespace
     *                                   with {@code -} written as {@code _}
     * @param connectionsPerInstance     open connections (WebSocket and SSE) this instance accepts; over it the handshake gets 503
     * @param subscriptionsPerConnection channels one connection may subscribe to at once
     * @param connectionRate             new connections per second from one client address; over it the handshake gets 429
     * @param connectionBurst            connections one address may open at once before the rate applies
     * @param messagesPerSecond          frames per second one connection may send; over it the connection is closed with 4029
     * @param messageBurst               frames one connection may send at once before the rate applies
     * @param maxPendingMessages         frames queued for one connection before it is closed as a slow consumer (4009)
     */
    public record Capacity(int connectionsPerChannel, Map<String, Integer> connectionsPerNamespace,
                           int connectionsPerInstance, int subscriptionsPerConnection, int connectionRate,
                           int connectionBurst, int messagesPerSecond, int messageBurst, int maxPendingMessages) {

        public Capacity {
            connectionsPerNamespace = Map.copyOf(connectionsPerNamespace);
        }

        /** The subscriber limit of a channel in this namespace on this instance; zero: none. */
        public int connectionsPerChannel(String namespace) {
            return connectionsPerNamespace.getOrDefault(namespace.replace('-', '_'), connectionsPerChannel);
        }

        static final String PER_CHANNEL = "herald.limits.connections-per-channel";
        static final String PER_CHANNEL_ENV = "HERALD_LIMITS_CONNECTIONS_PER_CHANNEL_";

        static Capacity from(Settings s, int replayPageSize) {
            int perChannel = s.integer(PER_CHANNEL, 50, 0, 1_000_000);
            Map<String, Integer> perNamespace = new TreeMap<>();
            for (String name : s.names()) {
                String namespace = null;
                if (name.startsWith(PER_CHANNEL + ".")) {
                    namespace = name.substring(PER_CHANNEL.length() + 1);
                } else if (name.startsWith(PER_CHANNEL_ENV)) {
                    namespace = name.substring(PER_CHANNEL_ENV.length()).toLowerCase(Locale.ROOT);
                }
                if (namespace != null) {
                    if (!namespace.matches("[a-z][a-z0-9_-]{0,31}")) {
                        throw new Settings.InvalidSettingException(name, s.string(name, ""),
                                "the key must end with a channel namespace: [a-z][a-z0-9_-]{0,31}");
                    }
                    perNamespace.put(namespace.replace('-', '_'), s.integer(name, perChannel, 0, 1_000_000));
                }
            }
            int pendingMessages = s.integer("herald.limits.max-pending-messages", 2000, 1, 1_000_000);
            if (pendingMessages < 2 * replayPageSize) {
                // A replay waits for a half-empty queue, then queues a page: that must fit.
                throw new Settings.InvalidSettingException("herald.limits.max-pending-messages", Integer.toString(pendingMessages),
                        "must be at least twice herald.replay.page-size");
            }
            int rate = s.integer("herald.limits.connection-rate", 0, 0, 1_000_000);
            int messages = s.integer("herald.limits.client-messages-per-second", 100, 0, 1_000_000);
            return new Capacity(perChannel, perNamespace,
                    s.integer("herald.limits.connections-per-instance", 18_000, 0, 10_000_000),
                    s.integer("herald.limits.subscriptions-per-connection", 100, 0, 1_000_000),
                    rate, s.integer("herald.limits.connection-burst", Math.max(1, 2 * rate), 1, 1_000_000),
                    messages, s.integer("herald.limits.client-messages-burst", Math.max(1, 5 * messages), 1, 1_000_000),
                    pendingMessages);
        }
    }

    /** @param allowRemote whether the development token endpoint answers clients that are not on loopback */
    public record Dev(boolean allowRemote) {
    }

    /**
     * @param drain    the window over which connections are told to reconnect elsewhere (1012) at shutdown,
     *                 each at its own random moment; zero closes them all at once
     * @param patience how long after the window the drain still waits for close handshakes to finish
     */
    public record Shutdown(Duration drain, Duration patience) {
    }

    /**
     * Batch publishing ({@code POST /api/events}).
     *
     * @param maxEvents events one batch may hold
     * @param maxBytes  the largest batch body; each event's data is also held to {@code herald.limits.max-frame-size}
     */
    public record Batches(int maxEvents, int maxBytes) {
    }

    public static final String DEFAULT_DB_URL = "jdbc:h2:file:./herald-data/herald";

    public static HeraldConfig from(Settings s) {
        Jwt jwt = new Jwt(
                s.string("herald.jwt.secret"),
                s.string("herald.jwt.public-key"),
                s.string("herald.jwt.jwks-url"),
                s.string("herald.jwt.issuer"),
                s.string("herald.jwt.audience"),
                s.duration("herald.jwt.clock-skew", "30s"),
                issuers(s),
                new Jwks(positive(s, "herald.jwt.jwks-cache-ttl", "10m"), positive(s, "herald.jwt.jwks-refresh-interval", "30s")));
        if (!jwt.issuers().isEmpty() && (jwt.secret().isPresent() || jwt.publicKey().isPresent() || jwt.jwksUrl().isPresent())) {
            throw new Settings.InvalidSettingException("herald.jwt.issuers", s.string("herald.jwt.issuers", ""),
                    "cannot be combined with herald.jwt.secret, herald.jwt.public-key or herald.jwt.jwks-url");
        }
        Connection connection = new Connection(
                positive(s, "herald.auth-timeout", "5s"),
                positive(s, "herald.heartbeat.interval", "30s"),
                positive(s, "herald.heartbeat.timeout", "10s"),
                s.duration("herald.idle-timeout", "5m"));
        long frame = s.size("herald.limits.max-frame-size", "64KiB");
        if (frame < 1024 || frame > 1_000_000) {
            throw new Settings.InvalidSettingException("herald.limits.max-frame-size", Long.toString(frame),
                    "must be between 1KiB and 1000000 bytes");
        }
        long pending = s.size("herald.limits.max-pending-bytes", "4MiB");
        if (pending < 2 * frame) {
            throw new Settings.InvalidSettingException("herald.limits.max-pending-bytes", Long.toString(pending),
                    "must be at least twice herald.limits.max-frame-size");
        }
        Limits limits = new Limits((int) frame, pending,
                s.integer("herald.limits.connections-per-user", 5, 0, 1_000_000));
        Replay replay = new Replay(s.integer("herald.replay.page-size", 500, 10, 10_000),
                s.integer("herald.replay.recent-events", 64, 0, 10_000));
        Database database = new Database(
                s.string("herald.db.url", DEFAULT_DB_URL),
                s.string("herald.db.user", ""),
                s.string("herald.db.password", ""),
                s.integer("herald.db.pool-size", 10, 1, 500),
                positive(s, "herald.db.acquire-timeout", "5s"));
        Broker broker = new Broker(
                s.string("herald.redis.url"),
                s.bool("herald.redis.cluster", false),
                positive(s, "herald.broker.head-check-interval", "2s"),
                positive(s, "herald.broker.poll-interval", "500ms"),
                s.duration("herald.broker.reorder-window", "50ms"));
        Duration refresh = positive(s, "herald.presence.refresh-interval", "10s");
        Duration ttl = s.duration("herald.presence.ttl", "30s");
        if (ttl.compareTo(refresh.multipliedBy(2)) < 0) {
            throw new Settings.InvalidSettingException("herald.presence.ttl", s.string("herald.presence.ttl", "30s"),
                    "must be at least twice herald.presence.refresh-interval, so one late renewal does not drop an entry");
        }
        Presence presence = new Presence(refresh, ttl);
        Retention retention = new Retention(
                s.duration("herald.retention.max-age", "7d"),
                s.integer("herald.retention.max-events", 100_000, 0, Integer.MAX_VALUE),
                positive(s, "herald.retention.interval", "1m"),
                s.integer("herald.retention.batch-size", 1000, 1, 100_000));
        Dev dev = new Dev(s.bool("herald.dev.allow-remote", false));
        Streams streams = new Streams(
                s.bool("herald.ingest.enabled", true),
                s.string("herald.ingest.stream", "herald:ingest"),
                s.string("herald.commands.stream", "herald:commands"),
                s.integer("herald.commands.stream-max-length", 100_000, 0, Integer.MAX_VALUE));
        if (streams.commandsStream().equals(streams.ingestStream()) || streams.commandsStream().equals(streams.rejectedStream())) {
            // Commands would be read back as events to publish, or mixed with the rejections.
            throw new Settings.InvalidSettingException("herald.commands.stream", streams.commandsStream(),
                    "must differ from herald.ingest.stream and its :rejected stream");
        }
        Audit audit = new Audit(
                s.duration("herald.audit.max-age", "30d"),
                s.integer("herald.audit.queue-size", 10_000, 1, 10_000_000),
                s.integer("herald.audit.batch-size", 500, 1, 10_000),
                positive(s, "herald.audit.flush-interval", "200ms"),
                s.duration("herald.audit.max-wait", "1s"));
        Sse sse = new Sse(positive(s, "herald.sse.heartbeat", "15s"), positive(s, "herald.sse.retry", "3s"));
        String logFormat = s.string("herald.log.format", "text");
        if (!logFormat.equals("text") && !logFormat.equals("json")) {
            throw new Settings.InvalidSettingException("herald.log.format", logFormat, "must be text or json");
        }
        Observability observability = new Observability(logFormat.equals("json"), positive(s, "herald.health.timeout", "2s"));
        Origins origins = new Origins(origins(s), s.bool("herald.trust-forwarded-headers", false));
        return new HeraldConfig(jwt, connection, limits, replay, database, broker, presence, retention, dev, streams, audit, sse,
                observability, origins, Capacity.from(s, replay.pageSize()),
                new Shutdown(s.duration("herald.shutdown.drain", "10s"), s.duration("herald.shutdown.patience", "2s")),
                batches(s, frame));
    }

    private static Batches batches(Settings s, long frame) {
        long bytes = s.size("herald.limits.max-batch-bytes", "1MiB");
        if (bytes < frame || bytes > 64L * 1024 * 1024) {
            throw new Settings.InvalidSettingException("herald.limits.max-batch-bytes", Long.toString(bytes),
                    "must be at least herald.limits.max-frame-size and at most 64MiB");
        }
        return new Batches(s.integer("herald.limits.max-batch-events", 1000, 1, 100_000), (int) bytes);
    }

    /** {@code herald.jwt.issuers=a,b} names the issuers; {@code herald.jwt.issuers.a.*} describe each. */
    private static List<Issuer> issuers(Settings s) {
        List<Issuer> issuers = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String name : list(s, "herald.jwt.issuers")) {
            String prefix = "herald.jwt.issuers." + name;
            if (!name.matches("[A-Za-z0-9_-]+") || !seen.add(name)) {
                throw new Settings.InvalidSettingException("herald.jwt.issuers", name,
                        "issuer names are distinct and made of letters, digits, '_' and '-'");
            }
            String issuer = s.string(prefix + ".issuer").orElseThrow(() -> new Settings.InvalidSettingException(
                    prefix + ".issuer", "", "is required: the iss claim of this issuer's tokens"));
            String url = s.string(prefix + ".jwks-url").orElseThrow(() -> new Settings.InvalidSettingException(
                    prefix + ".jwks-url", "", "is required"));
            if (!url.startsWith("https://") && !url.startsWith("http://")) {
                throw new Settings.InvalidSettingException(prefix + ".jwks-url", url, "must be an http(s) URL");
            }
            Set<String> algorithms = new LinkedHashSet<>(list(s, prefix + ".algorithms"));
            if (algorithms.isEmpty()) {
                algorithms.add("RS256");
            }
            for (String algorithm : algorithms) {
                if (!Issuer.ALLOWED_ALGORITHMS.contains(algorithm)) {
                    throw new Settings.InvalidSettingException(prefix + ".algorithms", algorithm,
                            "must be among " + new TreeSet<>(Issuer.ALLOWED_ALGORITHMS) + " (no HMAC, no none)");
                }
            }
            if (issuers.stream().anyMatch(i -> i.issuer().equals(issuer))) {
                throw new Settings.InvalidSettingException(prefix + ".issuer", issuer, "is already another issuer's");
            }
            issuers.add(new Issuer(name, issuer, url, algorithms));
        }
        return issuers;
    }

    private static List<String> origins(Settings s) {
        List<String> origins = new ArrayList<>();
        for (String origin : list(s, "herald.allowed-origins")) {
            if (origin.equals("*")) {
                origins.add(origin);
                continue;
            }
            String normal = OriginPolicy.normalize(origin).orElseThrow(() -> new Settings.InvalidSettingException(
                    "herald.allowed-origins", origin, "each entry is * or scheme://host[:port], without a path"));
            origins.add(normal);
        }
        return origins;
    }

    private static List<String> list(Settings s, String key) {
        List<String> values = new ArrayList<>();
        for (String part : s.string(key, "").split(",")) {
            if (!part.isBlank()) {
                values.add(part.trim());
            }
        }
        return values;
    }

    private static Duration positive(Settings s, String key, String fallback) {
        Duration d = s.duration(key, fallback);
        if (d.isZero()) {
            throw new Settings.InvalidSettingException(key, "0", "must be greater than zero");
        }
        return d;
    }
}
