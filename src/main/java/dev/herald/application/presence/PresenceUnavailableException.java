package dev.herald.application.presence;

/** The shared presence state could not be read (Redis is unreachable); nothing partial is answered. */
public class PresenceUnavailableException extends RuntimeException {

    public PresenceUnavailableException(String message) {
        super(message);
    }
}
