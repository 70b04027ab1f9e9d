package dev.herald.application;

import dev.herald.application.session.ClientFrame;
import dev.herald.application.session.ClientSession;
import dev.herald.application.session.CloseCode;
import dev.herald.domain.ChannelName;
import dev.herald.infrastructure.broker.memory.InMemoryBroker;
import dev.herald.testing.ApplicationHarness;
import dev.herald.testing.Frames;
import dev.herald.testing.MutableClock;
import dev.herald.testing.RecordingConnection;
import dev.herald.testing.TestTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-user connection limit on one instance, through the gateway, over the in-memory directory. */
class ConnectionLimitTest {

    private static final Instant LATER = Instant.now().plusSeconds(3600);

    private final MutableClock clock = new MutableClock(Instant.parse("2025-06-01T09:00:00Z"));
    private ApplicationHarness herald;

    private void start(Map<String, String> settings) {
        herald = new ApplicationHarness(new InMemoryBroker(), clock, settings);
        herald.tokens
                .register("alice", TestTokens.user("alice", List.of("diagnosis:*"), List.of(), LATER))
                .register("bob", TestTokens.user("bob", List.of(), List.of(), LATER));
    }

    @AfterEach
    void stop() {
        herald.close();
    }

    /** Opens and authenticates a connection, one millisecond after the previous one. */
    private RecordingConnection connect(String token) {
        clock.advance(Duration.ofMillis(1));
        RecordingConnection connection = new RecordingConnection();
        herald.gateway.open(connection, Optional.of(token), Optional.empty(), Optional.empty());
        return connection;
    }

    @Test
    void theSixthConnectionOfAUserClosesTheFirstWith4008() {
        // given: the default limit, five
        start(Map.of());
        List<RecordingConnection> five = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            five.add(connect("alice"));
        }
        five.forEach(c -> assertNull(c.closeCode(), "within the limit"));

        // when
        RecordingConnection sixth = connect("alice");

        // then
        assertEquals(CloseCode.REPLACED, five.get(0).closeCode());
        assertEquals("replaced by a newer connection", five.get(0).closeReason());
        for (RecordingConnection kept : five.subList(1, 5)) {
            assertNull(kept.closeCode());
        }
        assertNull(sixth.closeCode());
        assertEquals("welcome", Frames.type(sixth.frames().get(0)));
    }

    @Test
    void aSingleChannelConnectionToAForbiddenChannelIsRefusedWithoutReplacingAWorkingOne() {
        // given: bob's only allowed connection, at a limit of one
        start(Map.of("herald.limits.connections-per-user", "1"));
        RecordingConnection working = connect("bob");

        // when: bob opens a single-channel URL of a channel he may not read
        clock.advance(Duration.ofMillis(1));
        RecordingConnection forbidden = new RecordingConnection();
        herald.gateway.open(forbidden, Optional.of("bob"), Optional.of(ChannelName.parse("diagnosis:42")), Optional.empty());

        // then: refused with 4003 and no welcome, and the working connection stays
        assertEquals(CloseCode.FORBIDDEN, forbidden.closeCode());
        assertTrue(forbidden.frames().isEmpty(), "no welcome: " + forbidden.frames());
        assertNull(working.closeCode());
    }

    @Test
    void closingAConnectionFreesItsSlot() {
        // given
        start(Map.of("herald.limits.connections-per-user", "2"));
        RecordingConnection first = connect("alice");
        RecordingConnection second = new RecordingConnection();
        clock.advance(Duration.ofMillis(1));
        ClientSession secondSession = herald.gateway.open(second, Optional.of("alice"), Optional.empty(), Optional.empty());

        // when: the second one goes away, then a third comes
        second.close(CloseCode.NORMAL, "bye");
        herald.gateway.closed(secondSession);
        RecordingConnection third = connect("alice");

        // then
        assertNull(first.closeCode(), "the slot of the closed connection was free");
        assertNull(third.closeCode());
        assertEquals(2, herald.directory.connections("alice").size());
    }

    @Test
    void theMonitorReleasingADeadConnectionAlsoFreesItsSlot() {
        // given: a connection whose close callback the container never delivered
        start(Map.of("herald.limits.connections-per-user", "1"));
        RecordingConnection dead = connect("alice");
        dead.close(CloseCode.INTERNAL_ERROR, "socket gone");

        // when
        herald.monitor.sweep();

        // then
        assertEquals(0, herald.directory.connections("alice").size());
    }

    @Test
    void theLimitCountsEachUserApart() {
        // given
        start(Map.of("herald.limits.connections-per-user", "1"));
        RecordingConnection alice = connect("alice");

        // when
        RecordingConnection bob = connect("bob");

        // then
        assertNull(alice.closeCode());
        assertNull(bob.closeCode());
    }

    @Test
    void anAuthFrameCountsLikeAHandshakeTokenAndARefreshDoesNotCountAgain() {
        // given
        start(Map.of("herald.limits.connections-per-user", "2"));
        RecordingConnection first = connect("alice");
        RecordingConnection viaFrame = new RecordingConnection();
        clock.advance(Duration.ofMillis(1));
        ClientSession session = herald.gateway.open(viaFrame, Optional.empty(), Optional.empty(), Optional.empty());
        herald.gateway.onFrame(session, new ClientFrame.Auth("alice"));

        // when: the same connection refreshes its token twice
        herald.gateway.onFrame(session, new ClientFrame.Auth("alice"));
        herald.gateway.onFrame(session, new ClientFrame.Auth("alice"));

        // then
        assertNull(first.closeCode(), "a refresh is not a new connection");
        assertEquals(2, herald.directory.connections("alice").size());
        RecordingConnection third = connect("alice");
        assertEquals(CloseCode.REPLACED, first.closeCode());
        assertNull(viaFrame.closeCode());
        assertNull(third.closeCode());
    }

    @Test
    void aConnectionThatNeverAuthenticatesDoesNotCount() {
        // given
        start(Map.of("herald.limits.connections-per-user", "1"));
        herald.gateway.open(new RecordingConnection(), Optional.empty(), Optional.empty(), Optional.empty());

        // when
        RecordingConnection alice = connect("alice");

        // then
        assertNull(alice.closeCode());
        assertEquals(1, herald.directory.connections("alice").size());
    }

    @Test
    void zeroMeansNoLimit() {
        // given
        start(Map.of("herald.limits.connections-per-user", "0"));
        List<RecordingConnection> many = new ArrayList<>();

        // when
        for (int i = 0; i < 50; i++) {
            many.add(connect("alice"));
        }

        // then
        assertTrue(many.stream().allMatch(c -> c.closeCode() == null));
    }

    @Test
    void aReplacedConnectionLeavesItsChannels() throws Exception {
        // given
        start(Map.of("herald.limits.connections-per-user", "1"));
        ChannelName channel = ChannelName.parse("diagnosis:42");
        RecordingConnection old = new RecordingConnection();
        ClientSession oldSession = herald.gateway.open(old, Optional.of("alice"), Optional.empty(), Optional.empty());
        herald.gateway.onFrame(oldSession, new ClientFrame.Subscribe(channel, Optional.empty(), null));
        old.await(Frames.ofType("subscribed"), Duration.ofSeconds(10));

        // when: the replacement arrives and the container reports the old one's close
        connect("alice");
        herald.gateway.closed(oldSession);

        // then
        assertEquals(CloseCode.REPLACED, old.closeCode());
        assertEquals(0, herald.hub.subscriberCount(channel));
        assertEquals(List.of(), herald.presence.of(channel));
    }
}
