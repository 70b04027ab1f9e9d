package dev.herald.application;

import dev.herald.application.security.ChannelAuthorizer;
import dev.herald.application.session.ClientFrame;
import dev.herald.application.session.ClientSession;
import dev.herald.domain.ChannelName;
import dev.herald.infrastructure.broker.memory.InMemoryBroker;
import dev.herald.testing.ApplicationHarness;
import dev.herald.testing.Frames;
import dev.herald.testing.RecordingConnection;
import dev.herald.testing.TestTokens;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.herald.testing.Frames.ofType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The {@code presence} frame on one instance, over the in-memory presence. */
class PresenceFrameTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ChannelName DIAGNOSIS = ChannelName.parse("diagnosis:42");
    private static final Instant LATER = Instant.now().plusSeconds(3600);

    private ApplicationHarness herald;

    @BeforeEach
    void start() {
        // Diagnosis 13 belongs to carol: the application's authorizer denies it to everyone else.
        ChannelAuthorizer ownership = (principal, channel, access) ->
                channel.value().equals("diagnosis:13")
                        ? (principal.subject().equals("carol") ? ChannelAuthorizer.Decision.ALLOW : ChannelAuthorizer.Decision.DENY)
                        : ChannelAuthorizer.Decision.ABSTAIN;
        herald = new ApplicationHarness(new InMemoryBroker(), Clock.systemUTC(), Map.of(), List.of(ownership));
        herald.tokens
                .register("alice", TestTokens.user("alice", List.of("diagnosis:*"), List.of(), LATER))
                .register("alice-narrow", TestTokens.user("alice", List.of("project:*"), List.of(), LATER))
                .register("bob", TestTokens.user("bob", List.of("diagnosis:42"), List.of(), LATER))
                .register("carol", TestTokens.user("carol", List.of(), List.of(), LATER));
    }

    @AfterEach
    void stop() {
        herald.close();
    }

    private ClientSession open(RecordingConnection connection, String token) {
        return herald.gateway.open(connection, Optional.of(token), Optional.empty(), Optional.empty());
    }

    private ClientSession subscribed(String token, ChannelName channel) throws InterruptedException {
        RecordingConnection connection = new RecordingConnection();
        ClientSession session = open(connection, token);
        herald.gateway.onFrame(session, new ClientFrame.Subscribe(channel, Optional.empty(), null));
        connection.await(ofType("subscribed"), WAIT);
        return session;
    }

    /** Sends a presence frame and returns the answer with the given ref. */
    private JsonObject ask(String token, ChannelName channel, String ref) throws InterruptedException {
        RecordingConnection connection = new RecordingConnection();
        herald.gateway.onFrame(open(connection, token), new ClientFrame.Presence(channel, ref));
        return Frames.parse(connection.await(f -> ref.equals(Frames.parse(f).getString("ref", null)), WAIT));
    }

    private static String users(JsonObject presence) {
        return presence.getJsonArray("users").toString();
    }

    @Test
    void listsEverySubscribedUserWithTheirConnectionCountInUserOrder() throws Exception {
        // given: bob on one connection, alice on two, and alice on another channel
        subscribed("bob", DIAGNOSIS);
        subscribed("alice", DIAGNOSIS);
        subscribed("alice", DIAGNOSIS);
        subscribed("alice", ChannelName.parse("diagnosis:7"));

        // when
        JsonObject presence = ask("alice", DIAGNOSIS, "p1");

        // then
        assertEquals("presence", presence.getString("type"));
        assertEquals("diagnosis:42", presence.getString("channel"));
        assertEquals("[{\"user\":\"alice\",\"connections\":2},{\"user\":\"bob\",\"connections\":1}]", users(presence));
    }

    @Test
    void aChannelNobodyIsSubscribedToHasNoUsers() throws Exception {
        JsonObject presence = ask("alice", ChannelName.parse("diagnosis:99"), "p1");

        assertEquals("[]", users(presence));
    }

    @Test
    void presenceNeedsSubscribePermissionAndTheAuthorizerDecides() throws Exception {
        // given: carol is on her own diagnosis
        subscribed("carol", ChannelName.parse("diagnosis:13"));

        // when: bob may not subscribe to diagnosis:7, alice's grants are overruled on diagnosis:13
        JsonObject bob = ask("bob", ChannelName.parse("diagnosis:7"), "b1");
        JsonObject alice = ask("alice", ChannelName.parse("diagnosis:13"), "a1");
        JsonObject carol = ask("carol", ChannelName.parse("diagnosis:13"), "c1");

        // then
        assertEquals("error", bob.getString("type"));
        assertEquals("forbidden", bob.getString("code"));
        assertEquals("error", alice.getString("type"));
        assertEquals("forbidden", alice.getString("code"));
        assertFalse(alice.toString().contains("carol"), "nothing about the channel's users leaks");
        assertEquals("[{\"user\":\"carol\",\"connections\":1}]", users(carol));
    }

    @Test
    void unsubscribeCloseAndARefreshThatRevokesTheChannelAllLeave() throws Exception {
        // given
        ClientSession unsubscribing = subscribed("alice", DIAGNOSIS);
        ClientSession closing = subscribed("bob", DIAGNOSIS);
        ClientSession refreshing = subscribed("alice", DIAGNOSIS);
        assertEquals("[{\"user\":\"alice\",\"connections\":2},{\"user\":\"bob\",\"connections\":1}]",
                users(ask("alice", DIAGNOSIS, "before")));

        // when
        herald.gateway.onFrame(unsubscribing, new ClientFrame.Unsubscribe(DIAGNOSIS, null));
        herald.gateway.closed(closing);
        herald.gateway.onFrame(refreshing, new ClientFrame.Auth("alice-narrow"));

        // then
        assertEquals("[]", users(ask("alice", DIAGNOSIS, "after")));
    }

    @Test
    void aSubscriptionIsListedFromItsSubscribedFrameOn() throws Exception {
        // given: the single-channel URL subscribes at once
        RecordingConnection connection = new RecordingConnection();
        herald.gateway.open(connection, Optional.of("bob"), Optional.of(DIAGNOSIS), Optional.empty());

        // when
        connection.await(ofType("subscribed"), WAIT);

        // then
        assertEquals("[{\"user\":\"bob\",\"connections\":1}]", users(ask("alice", DIAGNOSIS, "p")));
    }
}
