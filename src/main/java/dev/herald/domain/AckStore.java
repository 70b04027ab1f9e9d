package dev.herald.domain;

import java.util.Optional;

/**
 * Per user and channel, the highest sequence the user's client has acknowledged as processed.
 * Acknowledgements are cumulative: the stored position never moves backwards.
 */
public interface AckStore {

    /** Moves the user's position on the channel forward to {@code seq}; a lower or equal one is ignored. */
    void acknowledge(String userId, ChannelName channel, Sequence seq);

    Optional<Sequence> position(String userId, ChannelName channel);
}
