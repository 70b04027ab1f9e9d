package dev.herald.application.security;

/** A token that was missing, malformed, badly signed, expired or not meant for this server. */
public class InvalidTokenException extends Exception {

    public InvalidTokenException(String reason) {
        super(reason, null, false, false);
    }
}
