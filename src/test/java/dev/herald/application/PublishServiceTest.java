package dev.herald.application;

import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventDraft;
import dev.herald.domain.EventType;
import dev.herald.domain.IdempotencyKey;
import dev.herald.domain.Sequence;
import dev.herald.domain.StoreUnavailableException;
import dev.herald.testing.ApplicationHarness;
import dev.herald.testing.ControlledBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Server-side publishing once per idempotency key, as the ingest stream uses it. */
class PublishServiceTest {

    private static final ChannelName CHANNEL = ChannelName.of("orders", "42");

    private final ControlledBroker broker = new ControlledBroker();
    private final ApplicationHarness herald = new ApplicationHarness(broker, Clock.systemUTC(),
            Map.of("herald.limits.max-frame-size", "1KiB", "herald.limits.max-pending-bytes", "4KiB"));

    @AfterEach
    void close() {
        herald.close();
    }

    private static EventDraft draft(String data) {
        return new EventDraft(new EventType("order.shipped"), data, null);
    }

    @Test
    void publishOnceStoresAndHandsTheEventToTheBroker() {
        // when
        Optional<Event> event = herald.publishing.publishOnce(CHANNEL, draft("{\"n\":1}"), new IdempotencyKey("k1"));

        // then
        assertTrue(event.isPresent());
        assertEquals(List.of(event.get()), herald.store.read(CHANNEL, Sequence.ZERO, 10));
        assertEquals(List.of(event.get()), broker.held());
    }

    @Test
    void aRepeatedKeyIsNeitherStoredNorHandedToTheBrokerAgain() {
        // given
        Event first = herald.publishing.publishOnce(CHANNEL, draft("{\"n\":1}"), new IdempotencyKey("k1")).orElseThrow();

        // when
        Optional<Event> again = herald.publishing.publishOnce(CHANNEL, draft("{\"n\":1}"), new IdempotencyKey("k1"));

        // then
        assertEquals(Optional.empty(), again);
        assertEquals(List.of(first), herald.store.read(CHANNEL, Sequence.ZERO, 10));
        assertEquals(List.of(first), broker.held());
    }

    @Test
    void dataOverTheLimitIsRefusedAndTheKeyStaysFree() {
        // given
        String tooLarge = "\"" + "x".repeat(1024) + "\"";

        // when
        HeraldException e = assertThrows(HeraldException.class,
                () -> herald.publishing.publishOnce(CHANNEL, draft(tooLarge), new IdempotencyKey("k1")));

        // then
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, e.code());
        assertEquals(Sequence.ZERO, herald.store.head(CHANNEL));
        assertTrue(herald.publishing.publishOnce(CHANNEL, draft("{}"), new IdempotencyKey("k1")).isPresent(),
                "a refused publish does not use up its key");
    }

    @Test
    void aStoreOutageFailsThePublishAndTheKeyStaysFree() {
        // given
        herald.database.down();

        // when
        assertThrows(StoreUnavailableException.class,
                () -> herald.publishing.publishOnce(CHANNEL, draft("{}"), new IdempotencyKey("k1")));
        herald.database.up();

        // then
        assertTrue(herald.publishing.publishOnce(CHANNEL, draft("{}"), new IdempotencyKey("k1")).isPresent());
        assertEquals(1, broker.held().size());
    }
}
