package dev.herald.testing;

import dev.herald.domain.AckStore;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Sequence;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** Herald's in-memory {@link AckStore} for unit tests. */
public class InMemoryAckStore implements AckStore {

    private final Map<String, Sequence> positions = new ConcurrentHashMap<>();
    private volatile Consumer<Sequence> beforeStoring = seq -> { };

    /** Runs {@code hook} in every acknowledge before it stores, to hold an ack in the store or fail it. */
    public void beforeStoring(Consumer<Sequence> hook) {
        this.beforeStoring = hook;
    }

    @Override
    public void acknowledge(String userId, ChannelName channel, Sequence seq) {
        beforeStoring.accept(seq);
        positions.merge(userId + '\u0000' + channel.value(), seq, (a, b) -> a.compareTo(b) >= 0 ? a : b);
    }

    @Override
    public Optional<Sequence> position(String userId, ChannelName channel) {
        return Optional.ofNullable(positions.get(userId + '\u0000' + channel.value()));
    }
}
