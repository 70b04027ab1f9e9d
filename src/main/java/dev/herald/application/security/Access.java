package dev.herald.application.security;

/** What a caller wants to do on a channel. */
public enum Access {
    /** Receive the channel's events (and send commands about it). */
    SUBSCRIBE,
    /** Append events to the channel. */
    PUBLISH
}
