package dev.herald.application;

import dev.herald.application.audit.AuditFilter;
import dev.herald.application.audit.AuditQuery;
import dev.herald.application.security.ChannelGrant;
import dev.herald.application.security.Principal;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventDraft;
import dev.herald.domain.EventStore;
import dev.herald.domain.EventType;
import dev.herald.domain.IdempotencyKey;
import dev.herald.domain.Sequence;
import dev.herald.domain.StoreUnavailableException;
import dev.herald.testing.ApplicationHarness;
import dev.herald.testing.ControlledBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Server-side publishing once per idempotency key, as the ingest stream uses it, and batches for clients. */
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

    // --- batches -------------------------------------------------------------------------------

    private static final ChannelName OTHER = ChannelName.of("orders", "43");
    private static final ChannelName FORBIDDEN = ChannelName.of("billing", "1");

    /** May publish to every orders:* channel and nothing else. */
    private static Principal publisher() {
        return new Principal("shop", Optional.empty(), Set.of(), List.of(), List.of(new ChannelGrant("orders:*")),
                Instant.now().plusSeconds(3600));
    }

    private static EventStore.Append append(ChannelName channel, String data) {
        return new EventStore.Append(channel, draft(data));
    }

    @Test
    void aBatchIsStoredAndHandedToTheBrokerInItsOrder() {
        // when
        List<EventStore.Appended> results = herald.publishing.publishAll(publisher(),
                List.of(append(CHANNEL, "{\"n\":1}"), append(OTHER, "{\"n\":2}"), append(CHANNEL, "{\"n\":3}")),
                PublishService.Origin.HTTP);

        // then
        List<Event> stored = results.stream().map(r -> r.stored().orElseThrow()).toList();
        assertEquals(stored, broker.held());
        assertEquals(List.of(1L, 1L, 2L), stored.stream().map(e -> e.seq().value()).toList());
        assertEquals(List.of(stored.get(0), stored.get(2)), herald.store.read(CHANNEL, Sequence.ZERO, 10));
    }

    @Test
    void aBatchWithOneForbiddenChannelStoresNothingAndNamesTheEvent() {
        // when
        HeraldException e = assertThrows(HeraldException.class, () -> herald.publishing.publishAll(publisher(),
                List.of(append(CHANNEL, "{}"), append(FORBIDDEN, "{}")), PublishService.Origin.HTTP));

        // then
        assertEquals(ErrorCode.FORBIDDEN, e.code());
        assertTrue(e.getMessage().startsWith("events[1]: "), e.getMessage());
        assertEquals(Sequence.ZERO, herald.store.head(CHANNEL));
        assertEquals(List.of(), broker.held());
    }

    @Test
    void aBatchWithOneEventOverTheSizeLimitStoresNothing() {
        // when
        HeraldException e = assertThrows(HeraldException.class, () -> herald.publishing.publishAll(publisher(),
                List.of(append(CHANNEL, "{}"), append(OTHER, "\"" + "x".repeat(1024) + "\"")), PublishService.Origin.HTTP));

        // then
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, e.code());
        assertTrue(e.getMessage().startsWith("events[1]: "), e.getMessage());
        assertEquals(Sequence.ZERO, herald.store.head(CHANNEL));
    }

    @Test
    void aBatchRepeatedWithItsKeysStoresAndDeliversNothingTheSecondTime() {
        // given
        List<EventStore.Append> batch = List.of(
                new EventStore.Append(CHANNEL, draft("{\"n\":1}"), new IdempotencyKey("b1")),
                new EventStore.Append(OTHER, draft("{\"n\":2}"), new IdempotencyKey("b2")));
        List<EventStore.Appended> first = herald.publishing.publishAll(publisher(), batch, PublishService.Origin.HTTP);

        // when
        List<EventStore.Appended> again = herald.publishing.publishAll(publisher(), batch, PublishService.Origin.HTTP);

        // then
        assertTrue(again.stream().allMatch(EventStore.Appended::duplicate));
        assertEquals(first.stream().map(EventStore.Appended::seq).toList(), again.stream().map(EventStore.Appended::seq).toList());
        assertEquals(2, broker.held().size());
    }

    @Test
    void aBatchIsAuditedOncePerChannelWithItsSequenceRange() {
        // when
        herald.publishing.publishAll(publisher(),
                List.of(append(CHANNEL, "{}"), append(OTHER, "{}"), append(CHANNEL, "{}")), PublishService.Origin.HTTP);
        herald.audit.flush();

        // then
        List<String> details = herald.auditStore.search(AuditQuery.newest(AuditFilter.parse("publish", null, null, null), 10))
                .items().stream().map(r -> r.channel() + " " + r.detail()).sorted().toList();
        assertEquals(2, details.size(), details.toString());
        assertTrue(details.get(0).startsWith("orders:42 ") && details.get(0).contains("\"events\":2")
                && details.get(0).contains("\"firstSeq\":1") && details.get(0).contains("\"lastSeq\":2"), details.get(0));
    }
}
