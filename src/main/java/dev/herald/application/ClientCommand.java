package dev.herald.application;

import dev.herald.application.security.Principal;
import dev.herald.domain.ChannelName;

/**
 * A command a client sent about a channel ({@code cancel}, ...), fired as a CDI event.
 * Observe it with {@code void on(@Observes ClientCommand command)} and answer by publishing events
 * (e.g. {@code iteration_cancelled}) with {@link EventPublisher}. Herald has already checked that
 * the sender may subscribe to the channel; anything further is the application's decision. An
 * observer that throws makes Herald answer the client with {@code command_failed}.
 *
 * @param data compact JSON text; the JSON literal {@code null} when the frame had no {@code data}
 */
public record ClientCommand(String connectionId, Principal principal, ChannelName channel, String name,
                            String data, String ref) {
}
