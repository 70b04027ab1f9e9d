package dev.herald.application;

import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Publishing for application code running in the same server:
 * {@code @Inject EventPublisher events; events.publish("diagnosis:42", "timeline_update", "{\"step\":3}");}.
 * The event is committed before this returns and then reaches subscribers on every instance.
 * Bad input throws {@link HeraldException} with its {@link ErrorCode}; nothing is stored then.
 */
@ApplicationScoped
public class EventPublisher {

    private PublishService publishing;

    protected EventPublisher() {
        // for CDI proxies
    }

    @Inject
    public EventPublisher(PublishService publishing) {
        this.publishing = publishing;
    }

    public Event publish(String channel, String type, String dataJson) {
        return publish(channel, type, dataJson, null);
    }

    public Event publish(String channel, String type, String dataJson, String correlationId) {
        ChannelName name = ChannelName.tryParse(channel).orElseThrow(
                () -> new HeraldException(ErrorCode.INVALID_CHANNEL, "invalid channel name"));
        return publishing.publish(name, PublishService.draft(type, JsonData.compact(dataJson), correlationId));
    }
}
