package dev.herald.it.app;

import dev.herald.application.ClientCommand;
import dev.herald.application.EventPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/** A backend that answers the {@code cancel} command by publishing {@code iteration_cancelled}. */
@ApplicationScoped
public class CancelWorker {

    @Inject
    EventPublisher events;

    void on(@Observes ClientCommand command) {
        if (command.name().equals("cancel")) {
            events.publish(command.channel().value(), "iteration_cancelled", command.data(), command.ref());
        }
    }
}
