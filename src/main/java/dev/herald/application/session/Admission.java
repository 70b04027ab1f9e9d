package dev.herald.application.session;

import dev.herald.application.ErrorCode;
import dev.herald.application.audit.AuditEvent;
import dev.herald.application.audit.AuditLog;
import dev.herald.application.audit.AuditOutcome;
import dev.herald.application.audit.AuditType;
import dev.herald.application.config.HeraldConfig;
import dev.herald.domain.ChannelName;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides, before a transport upgrades or starts a stream, whether this instance takes one more
 * connection: the connection rate of the client's address ({@code herald.limits.connection-rate}, 429),
 * the instance's connections ({@code herald.limits.connections-per-instance}, 503) and, for a
 * single-channel URL, the channel's subscribers ({@code herald.limits.connections-per-channel}, 503).
 * Every refusal is audited as a {@code limit}.
 *
 * <p>The counts are read, not reserved: handshakes admitted at the same moment can each take the
 * last place, so the instance can overshoot by the handshakes in flight. The subscription itself is
 * counted exactly ({@link ChannelOccupancy}), so a channel never holds more than its limit.
 */
@ApplicationScoped
public class Admission {

    /** Address buckets kept before full ones are forgotten; bounds the map under a flood of addresses. */
    static final int MAX_ADDRESSES = 10_000;

    /** Why a connection was refused: the HTTP status and error code to answer with. */
    public record Refusal(ErrorCode code, String detail) {
    }

    private final ConcurrentHashMap<String, TokenBucket> addresses = new ConcurrentHashMap<>();
    private SessionRegistry registry;
    private ChannelOccupancy occupancy;
    private HeraldConfig.Capacity capacity;
    private Clock clock;
    private AuditLog audit = AuditLog.NONE;

    protected Admission() {
        // for CDI proxies
    }

    @Inject
    public Admission(SessionRegistry registry, ChannelOccupancy occupancy, HeraldConfig config, Clock clock) {
        this.registry = registry;
        this.occupancy = occupancy;
        this.capacity = config.capacity();
        this.clock = clock;
    }

    /** Where refusals are audited; {@link AuditLog#NONE} until set. */
    @Inject
    public void recordTo(AuditLog audit) {
        this.audit = audit;
    }

    /**
     * @param address the client's address as the server sees it (a proxy in front makes it the proxy's)
     * @param channel   the channel of a single-channel URL, which must have room
     * @param transport {@code websocket} or {@code sse}, for the audit
     * @return why the connection is refused, or empty to go ahead
     */
    public Optional<Refusal> admit(String address, Optional<ChannelName> channel, String transport) {
        Optional<Refusal> refusal = check(address, channel);
        refusal.ifPresent(r -> {
            AuditEvent event = AuditEvent.of(AuditType.LIMIT, AuditOutcome.DENIED).transport(transport)
                    .with("code", r.code().code()).with("address", address).with("reason", r.detail());
            audit.record(channel.map(event::channel).orElse(event));
        });
        return refusal;
    }

    private Optional<Refusal> check(String address, Optional<ChannelName> channel) {
        if (capacity.connectionRate() > 0 && !bucket(address).tryTake(clock.millis())) {
            return Optional.of(new Refusal(ErrorCode.RATE_LIMITED,
                    "more than " + capacity.connectionRate() + " new connections per second from " + address));
        }
        int instance = capacity.connectionsPerInstance();
        if (instance > 0 && registry.size() >= instance) {
            return Optional.of(new Refusal(ErrorCode.INSTANCE_FULL,
                    "this instance holds its limit of " + instance + " connections; retry later"));
        }
        if (channel.isPresent() && occupancy.isFull(channel.get())) {
            return Optional.of(new Refusal(ErrorCode.CHANNEL_FULL,
                    channel.get() + " has its limit of " + occupancy.limit(channel.get()) + " subscribers on this instance; retry later"));
        }
        return Optional.empty();
    }

    private TokenBucket bucket(String address) {
        long now = clock.millis();
        if (addresses.size() >= MAX_ADDRESSES) {
            // A full bucket holds nothing worth remembering: a new one starts full too.
            addresses.values().removeIf(b -> b.isFull(now));
        }
        return addresses.computeIfAbsent(address, a -> new TokenBucket(capacity.connectionRate(), capacity.connectionBurst(), now));
    }
}
