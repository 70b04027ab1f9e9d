package dev.herald.application.session;

import dev.herald.domain.ChannelName;
import dev.herald.domain.Sequence;

import java.util.Optional;

/** The frames a client may send (protocol v1), decoded and validated by the transport. */
public sealed interface ClientFrame {

    /** Whether the frame counts as client activity for the idle timeout (heartbeats do not). */
    default boolean isActivity() {
        return true;
    }

    record Auth(String token) implements ClientFrame {
    }

    record Subscribe(ChannelName channel, Optional<Sequence> since, String ref) implements ClientFrame {
    }

    record Unsubscribe(ChannelName channel, String ref) implements ClientFrame {
    }

    record Ack(ChannelName channel, Sequence seq, String ref) implements ClientFrame {
    }

    record Ping() implements ClientFrame {
        @Override
        public boolean isActivity() {
            return false;
        }
    }

    record Pong() implements ClientFrame {
        @Override
        public boolean isActivity() {
            return false;
        }
    }

    /** @param data compact JSON text */
    record Publish(ChannelName channel, String event, String data, String correlationId, String ref) implements ClientFrame {
    }

    /** Asks who is subscribed to the channel, on every instance. */
    record Presence(ChannelName channel, String ref) implements ClientFrame {
    }

    /** @param data compact JSON text */
    record Command(ChannelName channel, String name, String data, String ref) implements ClientFrame {
    }
}
