package dev.herald.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.util.Map;

import static dev.herald.it.WsClient.ofType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Heartbeat and idle closes on a real server, with the timings shortened to seconds. */
@ExtendWith(ArquillianExtension.class)
class HeartbeatIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald(Map.of(
                "herald.heartbeat.interval", "1s",
                "herald.heartbeat.timeout", "1s",
                "herald.idle-timeout", "4s"));
    }

    @ArquillianResource
    URL base;

    private WsClient connect() {
        Api api = new Api(base);
        return WsClient.connect(api.ws("/ws"), Map.of("Authorization", "Bearer " + Jwts.user("alice").sign()));
    }

    @Test
    void aClientThatNeverAnswersPingsIsClosedWith4004() throws Exception {
        try (WsClient client = connect()) {
            assertEquals(1, client.awaitType("welcome").getJsonObject("heartbeat").getInt("interval"));
            client.awaitType("ping");
            assertEquals(4004, client.awaitClose());
        }
    }

    @Test
    void aClientThatOnlyAnswersPingsIsClosedWith4005WhenIdle() throws Exception {
        try (WsClient client = connect()) {
            client.awaitType("welcome");
            int answered = 0;
            // Bounded: the idle timeout (4 s) ends this long before WsClient.WAIT per ping.
            while (!client.isClosed() && answered < 20) {
                int pings = answered + 1;
                try {
                    client.awaitAll(ofType("ping"), pings);
                } catch (AssertionError closedMeanwhile) {
                    break;
                }
                client.send("{\"type\":\"pong\"}");
                answered++;
            }
            assertEquals(4005, client.awaitClose());
            assertTrue(answered >= 2, "pings were answered before the idle close: " + answered);
        }
    }

    @Test
    void aClientThatKeepsWorkingStaysConnectedPastTheIdleTimeout() throws Exception {
        try (WsClient client = connect()) {
            client.awaitType("welcome");
            long until = System.nanoTime() + 6_000_000_000L; // longer than the 4 s idle timeout
            int pongs = 0;
            while (System.nanoTime() < until) {
                client.send("{\"type\":\"ping\"}"); // heartbeat: not activity ...
                client.send("{\"type\":\"unsubscribe\",\"channel\":\"user:alice\"}"); // ... but this is
                pongs++;
                client.awaitAll(ofType("pong"), pongs);
            }
            assertTrue(!client.isClosed(), "still connected after 6 s of activity");
        }
    }
}
