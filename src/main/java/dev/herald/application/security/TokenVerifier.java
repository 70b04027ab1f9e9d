package dev.herald.application.security;

/**
 * Turns a bearer token into a {@link Principal}. The accepted algorithms and keys come from
 * configuration only, never from the token itself.
 */
public interface TokenVerifier {

    /** @throws InvalidTokenException with a reason that is safe to log and to show the client */
    Principal verify(String token) throws InvalidTokenException;
}
