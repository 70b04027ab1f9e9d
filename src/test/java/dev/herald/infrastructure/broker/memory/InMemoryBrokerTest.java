package dev.herald.infrastructure.broker.memory;

import dev.herald.application.broker.Broker;
import dev.herald.application.broker.BrokerContract;
import dev.herald.application.broker.RecordingListener;
import dev.herald.domain.ChannelName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The single-instance broker: publishes reach only this broker's own listener. */
class InMemoryBrokerTest extends BrokerContract {

    @Override
    protected Broker newBroker() {
        return new InMemoryBroker();
    }

    @Test
    void anotherInMemoryBrokerIsAnotherWorld() throws InterruptedException {
        // given: two instances, each with its own in-memory broker, both on one channel
        RecordingListener otherListener = new RecordingListener();
        Broker other = instance(otherListener);
        ChannelName channel = newChannel();
        ChannelName marker = newChannel();
        broker.subscribe(channel);
        other.subscribe(channel);
        other.subscribe(marker);

        // when
        broker.publish(event(channel));
        other.publish(event(marker));

        // then: each sees only its own publishes, which is why it serves one instance only
        assertEquals(1, listener.await(channel, 1, DEADLINE).size());
        otherListener.await(marker, 1, DEADLINE);
        assertEquals(List.of(), otherListener.events(channel));
    }
}
