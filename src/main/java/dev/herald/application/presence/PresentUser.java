package dev.herald.application.presence;

/**
 * A user subscribed to a channel.
 *
 * @param user        the token's {@code sub}
 * @param connections how many of the user's connections are subscribed, on all instances
 */
public record PresentUser(String user, int connections) {
}
