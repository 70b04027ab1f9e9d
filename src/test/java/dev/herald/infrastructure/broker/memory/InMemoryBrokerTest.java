package dev.herald.infrastructure.broker.memory;

import dev.herald.application.broker.Broker;
import dev.herald.application.broker.BrokerContract;

/** The single-instance broker: publishes reach only this broker's own listener. */
class InMemoryBrokerTest extends BrokerContract {

    @Override
    protected Broker newBroker() {
        return new InMemoryBroker();
    }

    @Override
    protected boolean sharesAcrossInstances() {
        return false;
    }
}
