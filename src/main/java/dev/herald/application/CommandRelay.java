package dev.herald.application;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

/**
 * Hands every client command to the {@link CommandSink} once the application's own observers have
 * accepted it. Observers of the default priority run first; when one throws, the client gets
 * {@code command_failed} and the command goes no further, so workers never act on a command the
 * client was told had failed.
 */
@ApplicationScoped
public class CommandRelay {

    private CommandSink sink;

    protected CommandRelay() {
        // for CDI proxies
    }

    @Inject
    public CommandRelay(CommandSink sink) {
        this.sink = sink;
    }

    public void relay(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER) ClientCommand command) {
        sink.append(command);
    }
}
