package dev.herald.application.broker;

import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract of a broker that connects instances: everything {@link BrokerContract} asks, and
 * brokers of one backend (one per "instance") reach each other.
 */
public abstract class SharedBrokerContract extends BrokerContract {

    // --- instances ----------------------------------------------------------------------------

    @Test
    void twoInstancesReceiveEachOthersPublishes() throws InterruptedException {
        // given
        RecordingListener secondListener = new RecordingListener();
        Broker second = instance(secondListener);
        ChannelName channel = newChannel();
        broker.subscribe(channel);
        second.subscribe(channel);

        // when
        Event fromFirst = event(channel);
        broker.publish(fromFirst);
        Event fromSecond = event(channel);
        second.publish(fromSecond);

        // then
        List<Event> both = List.of(fromFirst, fromSecond);
        assertEquals(both.size(), listener.await(channel, 2, DEADLINE).size());
        assertEquals(both.size(), secondListener.await(channel, 2, DEADLINE).size());
        assertTrue(listener.events(channel).containsAll(both), "first instance got both");
        assertTrue(secondListener.events(channel).containsAll(both), "second instance got both");
    }

    @Test
    void anInstanceThatDidNotSubscribeReceivesNothing() throws InterruptedException {
        // given
        RecordingListener secondListener = new RecordingListener();
        Broker second = instance(secondListener);
        ChannelName channel = newChannel();
        ChannelName marker = newChannel();
        broker.subscribe(channel);
        second.subscribe(marker);

        // when
        broker.publish(event(channel));
        broker.publish(event(marker));

        // then
        listener.await(channel, 1, DEADLINE);
        secondListener.await(marker, 1, DEADLINE);
        assertEquals(List.of(), secondListener.events(channel));
    }
}
