package dev.herald.it;

import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.herald.it.WsClient.eventOn;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An ack sent just before the client closes is stored before Herald completes the close handshake
 * (protocol section 8): the next connection of the same user, subscribing without {@code since},
 * resumes right after it. The first round also meets a cold JPA path, where the store is slowest.
 */
@ExtendWith(ArquillianExtension.class)
class AckBeforeCloseIT {

    private static final int ROUNDS = 30;
    private static final int EVENTS = 10;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald(Map.of());
    }

    @ArquillianResource
    URL base;

    private Api api;
    private String admin;

    @BeforeEach
    void setUp() {
        api = new Api(base);
        admin = Jwts.user("ops").roles("admin").sign();
    }

    @Test
    void theLastAckBeforeACloseIsWhereTheNextConnectionResumes() throws Exception {
        List<String> failures = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            String channel = "diagnosis:ack-close-" + round + "-" + System.nanoTime();
            String token = Jwts.user("acker-" + round + "-" + System.nanoTime()).channels("diagnosis:*").sign();
            try (WsClient client = connect(token)) {
                client.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
                client.awaitType("subscribed");
                for (int i = 1; i <= EVENTS; i++) {
                    api.publishOk(admin, channel, "step", Integer.toString(i));
                }
                client.awaitAll(eventOn(channel), EVENTS);
                client.send("{\"type\":\"ack\",\"channel\":\"" + channel + "\",\"seq\":3}");
                client.send("{\"type\":\"ack\",\"channel\":\"" + channel + "\",\"seq\":" + EVENTS + "}");
                // At once, and no waiting for anything but Herald's close frame.
                client.closeHandshake();
            }
            api.publishOk(admin, channel, "step", Integer.toString(EVENTS + 1));
            String resumed = resume(token, channel);
            if (!resumed.equals("replayed 1, first event " + (EVENTS + 1))) {
                failures.add("round " + round + ": " + resumed);
            }
        }
        assertEquals(List.of(), failures, "rounds that did not resume right after ack " + EVENTS);
    }

    /** Where a new connection subscribing without since starts: how many events it replays and the first one. */
    private String resume(String token, String channel) throws InterruptedException {
        try (WsClient client = connect(token)) {
            client.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
            JsonObject subscribed = client.awaitType("subscribed");
            int replayed = subscribed.getInt("replayed");
            if (replayed == 0) {
                return "replayed 0 (recovered " + subscribed.getBoolean("recovered") + ")";
            }
            return "replayed " + replayed + ", first event " + WsClient.seq(client.await(eventOn(channel)));
        }
    }

    private WsClient connect(String token) {
        return WsClient.connect(api.ws("/ws"), Map.of("Authorization", "Bearer " + token));
    }
}
