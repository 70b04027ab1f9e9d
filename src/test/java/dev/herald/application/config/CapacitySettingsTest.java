package dev.herald.application.config;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code herald.limits.*} settings of {@link HeraldConfig.Capacity}. */
class CapacitySettingsTest {

    private static HeraldConfig.Capacity capacity(Map<String, String> values) {
        return HeraldConfig.from(new Settings(key -> Optional.ofNullable(values.get(key)), values::keySet)).capacity();
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        HeraldConfig.Capacity c = capacity(Map.of());

        assertEquals(50, c.connectionsPerChannel("diagnosis"));
        assertEquals(18_000, c.connectionsPerInstance());
        assertEquals(100, c.subscriptionsPerConnection());
        assertEquals(0, c.connectionRate(), "off: behind a proxy every client has the proxy's address");
        assertEquals(100, c.messagesPerSecond());
        assertEquals(500, c.messageBurst());
        assertEquals(2000, c.maxPendingMessages());
    }

    @Test
    void aNamespaceOverrideAppliesToItsNamespaceOnly() {
        HeraldConfig.Capacity c = capacity(Map.of(
                "herald.limits.connections-per-channel", "20",
                "herald.limits.connections-per-channel.diagnosis", "200",
                "herald.limits.connections-per-channel.live-feed", "0"));

        assertEquals(200, c.connectionsPerChannel("diagnosis"));
        assertEquals(0, c.connectionsPerChannel("live-feed"), "zero: no limit for this namespace");
        assertEquals(20, c.connectionsPerChannel("project"));
    }

    @Test
    void anEnvironmentVariableOverrideNamesTheNamespaceInCapitals() {
        HeraldConfig.Capacity c = capacity(Map.of("HERALD_LIMITS_CONNECTIONS_PER_CHANNEL_LIVE_FEED", "7"));

        assertEquals(7, c.connectionsPerChannel("live-feed"), "'-' is written '_' in a variable name");
        assertEquals(7, c.connectionsPerChannel("live_feed"));
    }

    @Test
    void aConnectionBurstDefaultsToTwoSecondsOfTheRate() {
        assertEquals(40, capacity(Map.of("herald.limits.connection-rate", "20")).connectionBurst());
    }

    @Test
    void refusesLimitsThatCannotWork() {
        Settings.InvalidSettingException key = assertThrows(Settings.InvalidSettingException.class,
                () -> capacity(Map.of("herald.limits.connections-per-channel.Not A Namespace", "5")));
        assertTrue(key.getMessage().contains("channel namespace"), key.getMessage());
        Settings.InvalidSettingException small = assertThrows(Settings.InvalidSettingException.class,
                () -> capacity(Map.of("herald.limits.max-pending-messages", "999")));
        assertTrue(small.getMessage().contains("twice herald.replay.page-size"), small.getMessage());
        assertThrows(Settings.InvalidSettingException.class,
                () -> capacity(Map.of("herald.limits.client-messages-per-second", "-1")));
    }
}
