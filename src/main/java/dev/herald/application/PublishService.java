package dev.herald.application;

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

    /** Publishes on behalf of a client whose token must grant publishing on the channel. */
    public Event publish(Principal principal, ChannelName channel, EventDraft draft) {
        if (!policy.allows(principal, channel, Access.PUBLISH)) {
            throw new HeraldException(ErrorCode.FORBIDDEN, "not allowed to publish to " + channel);
        }
        return publish(channel, draft);
    }

    /** Publishes as the server itself (no authorization). */
    public Event publish(ChannelName channel, EventDraft draft) {
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
        event.ifPresent(this::handOff);
        return event;
    }

    private void requireSize(EventDraft draft) {
        if (draft.data().length() > maxDataLength) {
            throw new HeraldException(ErrorCode.PAYLOAD_TOO_LARGE,
                    "event data is larger than " + maxDataLength + " characters");
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
