package dev.herald.application;

import dev.herald.application.audit.AuditEvent;
import dev.herald.application.audit.AuditLog;
import dev.herald.application.audit.AuditOutcome;
import dev.herald.application.audit.AuditType;
import dev.herald.application.broker.Broker;
import dev.herald.application.config.HeraldConfig;
import dev.herald.application.security.Access;
import dev.herald.application.security.AccessPolicy;
import dev.herald.application.security.Principal;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventDraft;
import dev.herald.domain.EventStore;
import dev.herald.domain.EventType;
import dev.herald.domain.IdempotencyKey;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishing: validate, commit to the store, then hand to the broker. An event is committed before
 * anyone can receive it; if the broker hand-off fails the event is still stored and receivers pick
 * it up from the store.
 */
@ApplicationScoped
public class PublishService {

    private static final Logger LOG = Logger.getLogger(PublishService.class.getName());

    private AccessPolicy policy;
    private EventStore store;
    private Broker broker;
    private int maxDataLength;
    private AuditLog audit = AuditLog.NONE;

    protected PublishService() {
        // for CDI proxies
    }

    @Inject
    public PublishService(AccessPolicy policy, EventStore store, Broker broker, HeraldConfig config) {
        this.policy = policy;
        this.store = store;
        this.broker = broker;
        this.maxDataLength = config.limits().maxFrameSize();
    }

    /** Where this service reports what it audits; {@link AuditLog#NONE} until set. */
    @Inject
    public void recordTo(AuditLog audit) {
        this.audit = audit;
    }

    /** Where a publish came from, for the audit: the client's transport and connection (null over HTTP). */
    public record Origin(String transport, String connection) {

        public static final Origin HTTP = new Origin("http", null);
    }

    /**
     * Publishes on behalf of a client whose token must grant publishing on the channel. The publish,
     * or its refusal, is audited with the user and origin.
     */
    public Event publish(Principal principal, ChannelName channel, EventDraft draft, Origin origin) {
        // Records built in one step: each builder call of AuditEvent copies its detail map, once per publish.
        if (!policy.allows(principal, channel, Access.PUBLISH)) {
            audit.record(new AuditEvent(AuditType.PUBLISH, AuditOutcome.DENIED, principal.subject(), origin.connection(),
                    origin.transport(), channel.value(), Map.of("event", draft.type().value())));
            throw new HeraldException(ErrorCode.FORBIDDEN, "not allowed to publish to " + channel);
        }
        Event event = append(channel, draft);
        Map<String, Object> detail = new LinkedHashMap<>(4);
        detail.put("event", draft.type().value());
        detail.put("seq", event.seq().value());
        audit.record(new AuditEvent(AuditType.PUBLISH, AuditOutcome.OK, principal.subject(), origin.connection(),
                origin.transport(), channel.value(), detail));
        return event;
    }

    /** Publishes as the server itself (no authorization), e.g. through the CDI {@link EventPublisher}. */
    public Event publish(ChannelName channel, EventDraft draft) {
        Event event = append(channel, draft);
        audit.record(AuditEvent.of(AuditType.PUBLISH, AuditOutcome.OK).channel(channel)
                .with("event", draft.type().value()).with("seq", event.seq().value()).with("source", "server"));
        return event;
    }

    private Event append(ChannelName channel, EventDraft draft) {
        requireSize(draft);
        Event event = store.append(channel, draft);
        handOff(event);
        return event;
    }

    /**
     * Publishes as the server itself, once per idempotency key: when an event with this key was
     * stored before, by this or any other instance, nothing is stored or delivered again.
     *
     * @return the published event, or empty when the key was already used
     */
    public Optional<Event> publishOnce(ChannelName channel, EventDraft draft, IdempotencyKey key) {
        requireSize(draft);
        Optional<Event> event = store.appendOnce(channel, draft, key);
        event.ifPresent(e -> {
            handOff(e);
            audit.record(AuditEvent.of(AuditType.PUBLISH, AuditOutcome.OK).channel(channel)
                    .with("event", draft.type().value()).with("seq", e.seq().value()).with("source", "ingest"));
        });
        return event;
    }

    /**
     * Publishes a batch on behalf of a client whose token must grant publishing on every channel
     * of it: all of it is committed in one transaction, then handed to the broker in batch order,
     * or, on any refusal, nothing is stored. An event whose idempotency key was used before stores
     * nothing and is reported with the event the key stored. Audited as one record per channel.
     *
     * @throws HeraldException naming the first refused event as {@code events[i]}
     */
    public List<EventStore.Appended> publishAll(Principal principal, List<EventStore.Append> batch, Origin origin) {
        for (int i = 0; i < batch.size(); i++) {
            EventStore.Append append = batch.get(i);
            if (!policy.allows(principal, append.channel(), Access.PUBLISH)) {
                audit.record(AuditEvent.of(AuditType.PUBLISH, AuditOutcome.DENIED).user(principal.subject())
                        .transport(origin.transport()).connection(origin.connection()).channel(append.channel())
                        .with("batch", batch.size()));
                throw new HeraldException(ErrorCode.FORBIDDEN, "events[" + i + "]: not allowed to publish to " + append.channel());
            }
            requireSize(append.draft(), "events[" + i + "]: ");
        }
        List<EventStore.Appended> results = store.appendAll(batch);
        Map<ChannelName, long[]> perChannel = new LinkedHashMap<>(); // count, first, last
        for (EventStore.Appended result : results) {
            result.stored().ifPresent(event -> {
                handOff(event);
                long seq = event.seq().value();
                perChannel.merge(event.channel(), new long[] {1, seq, seq}, (a, b) -> new long[] {a[0] + 1, a[1], b[2]});
            });
        }
        perChannel.forEach((channel, stored) -> {
            Map<String, Object> detail = new LinkedHashMap<>(8);
            detail.put("events", stored[0]);
            detail.put("firstSeq", stored[1]);
            detail.put("lastSeq", stored[2]);
            detail.put("source", "batch");
            audit.record(new AuditEvent(AuditType.PUBLISH, AuditOutcome.OK, principal.subject(), origin.connection(),
                    origin.transport(), channel.value(), detail));
        });
        return results;
    }

    private void requireSize(EventDraft draft) {
        requireSize(draft, "");
    }

    private void requireSize(EventDraft draft, String where) {
        if (draft.data().length() > maxDataLength) {
            throw new HeraldException(ErrorCode.PAYLOAD_TOO_LARGE,
                    where + "event data is larger than " + maxDataLength + " characters");
        }
    }

    private void handOff(Event event) {
        try {
            broker.publish(event);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "event " + event.channel() + " " + event.seq() + " is stored but the broker refused it", e);
        }
    }

    /**
     * Builds a draft from untrusted parts, turning each violation into its documented error.
     *
     * @param data compact JSON text, already parsed
     */
    public static EventDraft draft(String type, String data, String correlationId) {
        if (type == null) {
            throw new HeraldException(ErrorCode.MISSING_FIELD, "missing field 'type'");
        }
        if (EventType.isReserved(type)) {
            throw new HeraldException(ErrorCode.RESERVED_EVENT_TYPE, "'" + type + "' is a reserved frame type");
        }
        EventType eventType;
        try {
            eventType = new EventType(type);
        } catch (IllegalArgumentException e) {
            throw new HeraldException(ErrorCode.INVALID_EVENT_TYPE, e.getMessage());
        }
        if (correlationId != null && (correlationId.isEmpty() || correlationId.length() > EventDraft.MAX_CORRELATION_ID_LENGTH)) {
            throw new HeraldException(ErrorCode.INVALID_FIELD, "correlationId must be 1 to 128 characters");
        }
        return new EventDraft(eventType, data, correlationId);
    }
}
