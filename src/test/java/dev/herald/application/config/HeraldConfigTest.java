package dev.herald.application.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeraldConfigTest {

    private static HeraldConfig config(Map<String, String> values) {
        return HeraldConfig.from(new Settings(key -> Optional.ofNullable(values.get(key))));
    }

    private static Settings.InvalidSettingException invalid(String key, String value) {
        Map<String, String> values = new HashMap<>();
        values.put(key, value);
        return assertThrows(Settings.InvalidSettingException.class, () -> config(values));
    }

    @Test
    void emptySourceGivesTheDocumentedDefaults() {
        // when
        HeraldConfig c = HeraldConfig.from(new Settings(key -> Optional.empty()));

        // then
        assertEquals(Duration.ofSeconds(5), c.connection().authTimeout());
        assertEquals(Duration.ofSeconds(30), c.connection().heartbeatInterval());
        assertEquals(Duration.ofSeconds(10), c.connection().heartbeatTimeout());
        assertEquals(Duration.ofMinutes(5), c.connection().idleTimeout());
        assertEquals(65536, c.limits().maxFrameSize());
        assertEquals(4L * 1024 * 1024, c.limits().maxPendingBytes());
        assertEquals(5, c.limits().connectionsPerUser());
        assertEquals(Duration.ofSeconds(10), c.presence().refreshInterval());
        assertEquals(Duration.ofSeconds(30), c.presence().ttl());
        assertEquals(500, c.replay().pageSize());
        assertEquals("jdbc:h2:file:./herald-data/herald", c.database().url());
        assertEquals(HeraldConfig.DEFAULT_DB_URL, c.database().url());
        assertEquals("", c.database().user());
        assertEquals("", c.database().password());
        assertEquals(10, c.database().poolSize());
        assertEquals(Duration.ofSeconds(30), c.jwt().clockSkew());
        assertTrue(c.jwt().secret().isEmpty());
        assertTrue(c.jwt().publicKey().isEmpty());
        assertTrue(c.jwt().jwksUrl().isEmpty());
        assertTrue(c.jwt().issuer().isEmpty());
        assertTrue(c.jwt().audience().isEmpty());
        assertTrue(c.jwt().developmentMode());
        assertFalse(c.dev().allowRemote());
        assertEquals(Duration.ofDays(7), c.retention().maxAge());
        assertEquals(100_000, c.retention().maxEvents());
        assertEquals(Duration.ofMinutes(1), c.retention().interval());
        assertEquals(1000, c.retention().batchSize());
        assertTrue(c.retention().enabled());
        assertEquals(Duration.ofSeconds(15), c.sse().heartbeat());
        assertEquals(Duration.ofSeconds(3), c.sse().retry());
        assertTrue(c.streams().ingestEnabled());
        assertEquals("herald:ingest", c.streams().ingestStream());
        assertEquals("herald:ingest:rejected", c.streams().rejectedStream());
        assertEquals("herald:commands", c.streams().commandsStream());
        assertEquals(100_000, c.streams().commandsMaxLength());
    }

    @Test
    void readsEveryKeyThatIsSet() {
        // given
        Map<String, String> values = new HashMap<>();
        values.put("herald.jwt.secret", "x".repeat(32));
        values.put("herald.jwt.issuer", "https://issuer");
        values.put("herald.jwt.audience", "herald");
        values.put("herald.jwt.clock-skew", "5s");
        values.put("herald.auth-timeout", "2s");
        values.put("herald.heartbeat.interval", "500ms");
        values.put("herald.heartbeat.timeout", "1s");
        values.put("herald.idle-timeout", "0");
        values.put("herald.limits.max-frame-size", "1KiB");
        values.put("herald.limits.max-pending-bytes", "2048");
        values.put("herald.replay.page-size", "10");
        values.put("herald.db.url", "jdbc:postgresql://db/herald");
        values.put("herald.db.user", "herald");
        values.put("herald.db.password", "pw");
        values.put("herald.db.pool-size", "3");
        values.put("herald.dev.allow-remote", "true");
        values.put("herald.retention.max-age", "36h");
        values.put("herald.retention.max-events", "250");
        values.put("herald.retention.interval", "15s");
        values.put("herald.retention.batch-size", "50");
        values.put("herald.ingest.enabled", "false");
        values.put("herald.ingest.stream", "app:events-in");
        values.put("herald.commands.stream", "app:commands");
        values.put("herald.commands.stream-max-length", "5000");
        values.put("herald.limits.connections-per-user", "2");
        values.put("herald.presence.refresh-interval", "1s");
        values.put("herald.presence.ttl", "3s");

        // when
        HeraldConfig c = config(values);

        // then
        assertEquals(Optional.of("x".repeat(32)), c.jwt().secret());
        assertFalse(c.jwt().developmentMode());
        assertEquals(Optional.of("https://issuer"), c.jwt().issuer());
        assertEquals(Optional.of("herald"), c.jwt().audience());
        assertEquals(Duration.ofSeconds(5), c.jwt().clockSkew());
        assertEquals(Duration.ofSeconds(2), c.connection().authTimeout());
        assertEquals(Duration.ofMillis(500), c.connection().heartbeatInterval());
        assertEquals(Duration.ofSeconds(1), c.connection().heartbeatTimeout());
        assertEquals(Duration.ZERO, c.connection().idleTimeout(), "a zero idle timeout disables the idle close");
        assertEquals(1024, c.limits().maxFrameSize());
        assertEquals(2048, c.limits().maxPendingBytes());
        assertEquals(10, c.replay().pageSize());
        assertEquals("jdbc:postgresql://db/herald", c.database().url());
        assertEquals("herald", c.database().user());
        assertEquals("pw", c.database().password());
        assertEquals(3, c.database().poolSize());
        assertTrue(c.dev().allowRemote());
        assertEquals(Duration.ofHours(36), c.retention().maxAge());
        assertEquals(250, c.retention().maxEvents());
        assertEquals(Duration.ofSeconds(15), c.retention().interval());
        assertEquals(50, c.retention().batchSize());
        assertFalse(c.streams().ingestEnabled());
        assertEquals("app:events-in", c.streams().ingestStream());
        assertEquals("app:events-in:rejected", c.streams().rejectedStream());
        assertEquals("app:commands", c.streams().commandsStream());
        assertEquals(5000, c.streams().commandsMaxLength());
        assertEquals(2, c.limits().connectionsPerUser());
        assertEquals(Duration.ofSeconds(1), c.presence().refreshInterval());
        assertEquals(Duration.ofSeconds(3), c.presence().ttl());
    }

    @Test
    void theReorderWindowIsFiftyMillisecondsByDefaultAndZeroMeansReadTheStoreAtOnce() {
        assertEquals(Duration.ofMillis(50), config(Map.of()).broker().reorderWindow());
        assertEquals(Duration.ZERO, config(Map.of("herald.broker.reorder-window", "0")).broker().reorderWindow());
        assertEquals(Duration.ofMillis(200), config(Map.of("herald.broker.reorder-window", "200ms")).broker().reorderWindow());
        assertTrue(invalid("herald.broker.reorder-window", "-5ms").getMessage().contains("herald.broker.reorder-window"));
    }

    @Test
    void zeroConnectionsPerUserMeansNoLimitAndNegativeIsRefused() {
        assertEquals(0, config(Map.of("herald.limits.connections-per-user", "0")).limits().connectionsPerUser());
        assertTrue(invalid("herald.limits.connections-per-user", "-1").getMessage().contains("herald.limits.connections-per-user"));
        assertTrue(invalid("herald.limits.connections-per-user", "five").getMessage().contains("herald.limits.connections-per-user"));
    }

    @Test
    void refusesAPresenceTtlShorterThanTwoRefreshes() {
        // given: one late renewal would drop a live entry
        Map<String, String> values = Map.of("herald.presence.refresh-interval", "10s", "herald.presence.ttl", "19s");

        // when
        Settings.InvalidSettingException e = assertThrows(Settings.InvalidSettingException.class, () -> config(values));

        // then
        assertTrue(e.getMessage().contains("herald.presence.ttl"), e.getMessage());
        assertEquals(Duration.ofSeconds(20),
                config(Map.of("herald.presence.refresh-interval", "10s", "herald.presence.ttl", "20s")).presence().ttl());
        assertTrue(invalid("herald.presence.refresh-interval", "0").getMessage().contains("herald.presence.refresh-interval"));
    }

    @Test
    void zeroRetentionLimitsKeepEverything() {
        // given
        Map<String, String> values = Map.of("herald.retention.max-age", "0", "herald.retention.max-events", "0");

        // when
        HeraldConfig.Retention r = config(values).retention();

        // then
        assertEquals(Duration.ZERO, r.maxAge());
        assertEquals(0, r.maxEvents());
        assertFalse(r.enabled());
        assertTrue(config(Map.of("herald.retention.max-age", "0")).retention().enabled(), "max-events still applies");
        assertTrue(config(Map.of("herald.retention.max-events", "0")).retention().enabled(), "max-age still applies");
    }

    @Test
    void refusesRetentionSettingsOutOfRange() {
        assertTrue(invalid("herald.retention.interval", "0").getMessage().contains("herald.retention.interval"));
        assertTrue(invalid("herald.retention.batch-size", "0").getMessage().contains("herald.retention.batch-size"));
        assertTrue(invalid("herald.retention.batch-size", "100001").getMessage().contains("herald.retention.batch-size"));
        assertTrue(invalid("herald.retention.max-events", "-1").getMessage().contains("herald.retention.max-events"));
        assertTrue(invalid("herald.retention.max-age", "1w").getMessage().contains("herald.retention.max-age"));
    }

    @Test
    void anyConfiguredKeyLeavesDevelopmentMode() {
        assertFalse(config(Map.of("herald.jwt.public-key", "pem")).jwt().developmentMode());
        assertFalse(config(Map.of("herald.jwt.jwks-url", "https://idp/jwks")).jwt().developmentMode());
    }

    @Test
    void refusesAZeroHeartbeatInterval() {
        Settings.InvalidSettingException e = invalid("herald.heartbeat.interval", "0");
        assertTrue(e.getMessage().contains("herald.heartbeat.interval"), e.getMessage());
        assertTrue(e.getMessage().contains("greater than zero"), e.getMessage());
    }

    @Test
    void refusesZeroForEveryTimingThatMustBePositive() {
        for (String key : new String[] {"herald.auth-timeout", "herald.heartbeat.interval", "herald.heartbeat.timeout"}) {
            for (String zero : new String[] {"0", "0s", "0ms"}) {
                Settings.InvalidSettingException e = invalid(key, zero);
                assertTrue(e.getMessage().contains(key), e.getMessage());
            }
        }
    }

    @Test
    void refusesAFrameSizeBelow1KiB() {
        Settings.InvalidSettingException e = invalid("herald.limits.max-frame-size", "512");
        assertTrue(e.getMessage().contains("herald.limits.max-frame-size"), e.getMessage());
        assertTrue(e.getMessage().contains("between 1KiB and 1000000"), e.getMessage());
    }

    @Test
    void refusesAFrameSizeAboveOneMillionBytes() {
        Settings.InvalidSettingException e = invalid("herald.limits.max-frame-size", "1MiB");
        assertTrue(e.getMessage().contains("herald.limits.max-frame-size"), e.getMessage());
    }

    @Test
    void acceptsTheFrameSizeBounds() {
        assertEquals(1024, config(Map.of("herald.limits.max-frame-size", "1024")).limits().maxFrameSize());
        assertEquals(1_000_000, config(Map.of("herald.limits.max-frame-size", "1000000")).limits().maxFrameSize());
    }

    @Test
    void refusesPendingBytesBelowTwoFrames() {
        // given
        Map<String, String> values = Map.of("herald.limits.max-frame-size", "64KiB",
                "herald.limits.max-pending-bytes", "100KiB");

        // when
        Settings.InvalidSettingException e = assertThrows(Settings.InvalidSettingException.class, () -> config(values));

        // then
        assertTrue(e.getMessage().contains("herald.limits.max-pending-bytes"), e.getMessage());
    }

    @Test
    void refusesOutOfRangePageAndPoolSizes() {
        assertTrue(invalid("herald.replay.page-size", "9").getMessage().contains("herald.replay.page-size"));
        assertTrue(invalid("herald.replay.page-size", "10001").getMessage().contains("herald.replay.page-size"));
        assertTrue(invalid("herald.db.pool-size", "0").getMessage().contains("herald.db.pool-size"));
        assertTrue(invalid("herald.db.pool-size", "501").getMessage().contains("herald.db.pool-size"));
    }

    @Test
    void refusesAMalformedDurationNamingTheKey() {
        Settings.InvalidSettingException e = invalid("herald.idle-timeout", "5 minutes");
        assertTrue(e.getMessage().contains("herald.idle-timeout = '5 minutes'"), e.getMessage());
    }

    @Test
    void aZeroCommandStreamLengthNeverTrims() {
        assertEquals(0, config(Map.of("herald.commands.stream-max-length", "0")).streams().commandsMaxLength());
    }

    @Test
    void refusesStreamSettingsThatCannotWork() {
        assertTrue(invalid("herald.commands.stream-max-length", "-1").getMessage().contains("herald.commands.stream-max-length"));
        assertTrue(invalid("herald.commands.stream-max-length", "100k").getMessage().contains("herald.commands.stream-max-length"));
        assertTrue(invalid("herald.ingest.enabled", "maybe").getMessage().contains("herald.ingest.enabled"));
        assertTrue(invalid("herald.commands.stream", "herald:ingest").getMessage().contains("must differ"));
        assertTrue(invalid("herald.commands.stream", "herald:ingest:rejected").getMessage().contains("must differ"));
        Map<String, String> sameName = Map.of("herald.ingest.stream", "jobs", "herald.commands.stream", "jobs");
        assertThrows(Settings.InvalidSettingException.class, () -> config(sameName));
    }

    @Test
    void blankStreamNamesFallBackToTheDefaults() {
        HeraldConfig.Streams s = config(Map.of("herald.ingest.stream", "  ", "herald.commands.stream", "")).streams();

        assertEquals("herald:ingest", s.ingestStream());
        assertEquals("herald:commands", s.commandsStream());
    }

    @Test
    void originsDefaultToSameOriginOnlyWithoutTrustingForwardedHeaders() {
        HeraldConfig c = config(Map.of());
        assertEquals(java.util.List.of(), c.origins().allowed());
        assertFalse(c.origins().any());
        assertFalse(c.origins().trustForwardedHeaders());
    }

    @Test
    void allowedOriginsAreNormalizedAndWildcardIsExplicit() {
        HeraldConfig c = config(Map.of("herald.allowed-origins", " https://App.example.com:443 , http://localhost:3000,*",
                "herald.trust-forwarded-headers", "true"));
        assertEquals(java.util.List.of("https://app.example.com", "http://localhost:3000", "*"), c.origins().allowed());
        assertTrue(c.origins().any());
        assertTrue(c.origins().trustForwardedHeaders());
    }

    @Test
    void anAllowedOriginWithAPathOrWithoutSchemeIsRefusedAtStartUp() {
        assertTrue(invalid("herald.allowed-origins", "https://app.example.com/").getMessage().contains("scheme://host[:port]"));
        invalid("herald.allowed-origins", "app.example.com");
    }

    @Test
    void namedIssuersAreReadWithTheirAlgorithms() {
        // when
        HeraldConfig c = config(Map.of(
                "herald.jwt.issuers", "corp, partner",
                "herald.jwt.issuers.corp.issuer", "https://login.corp.example",
                "herald.jwt.issuers.corp.jwks-url", "https://login.corp.example/jwks",
                "herald.jwt.issuers.partner.issuer", "https://idp.partner.example",
                "herald.jwt.issuers.partner.jwks-url", "https://idp.partner.example/keys",
                "herald.jwt.issuers.partner.algorithms", "ES256,PS256",
                "herald.jwt.jwks-refresh-interval", "1m"));

        // then
        assertFalse(c.jwt().developmentMode());
        assertEquals(2, c.jwt().issuers().size());
        HeraldConfig.Issuer corp = c.jwt().issuers().get(0);
        assertEquals("corp", corp.name());
        assertEquals("https://login.corp.example", corp.issuer());
        assertEquals(java.util.Set.of("RS256"), corp.algorithms(), "RS256 unless told otherwise");
        assertEquals(java.util.Set.of("ES256", "PS256"), c.jwt().issuers().get(1).algorithms());
        assertEquals(Duration.ofMinutes(1), c.jwt().jwks().refreshInterval());
        assertEquals(Duration.ofMinutes(10), c.jwt().jwks().cacheTtl());
    }

    @Test
    void anIssuerCannotAllowHmacOrNone() {
        for (String algorithm : new String[] {"HS256", "none", "rs256"}) {
            Settings.InvalidSettingException e = assertThrows(Settings.InvalidSettingException.class, () -> config(Map.of(
                    "herald.jwt.issuers", "corp",
                    "herald.jwt.issuers.corp.issuer", "https://login.corp.example",
                    "herald.jwt.issuers.corp.jwks-url", "https://login.corp.example/jwks",
                    "herald.jwt.issuers.corp.algorithms", algorithm)));
            assertTrue(e.getMessage().contains("herald.jwt.issuers.corp.algorithms"), e.getMessage());
        }
    }

    @Test
    void anIssuerNeedsItsIssAndJwksUrlAndCannotBeMixedWithASingleKey() {
        assertThrows(Settings.InvalidSettingException.class, () -> config(Map.of(
                "herald.jwt.issuers", "corp", "herald.jwt.issuers.corp.jwks-url", "https://login.corp.example/jwks")));
        assertThrows(Settings.InvalidSettingException.class, () -> config(Map.of(
                "herald.jwt.issuers", "corp", "herald.jwt.issuers.corp.issuer", "https://login.corp.example")));
        assertThrows(Settings.InvalidSettingException.class, () -> config(Map.of(
                "herald.jwt.issuers", "corp",
                "herald.jwt.issuers.corp.issuer", "https://login.corp.example",
                "herald.jwt.issuers.corp.jwks-url", "https://login.corp.example/jwks",
                "herald.jwt.secret", "0123456789abcdef0123456789abcdef")));
        assertThrows(Settings.InvalidSettingException.class, () -> config(Map.of(
                "herald.jwt.issuers", "a,b",
                "herald.jwt.issuers.a.issuer", "https://same.example", "herald.jwt.issuers.a.jwks-url", "https://same.example/jwks",
                "herald.jwt.issuers.b.issuer", "https://same.example", "herald.jwt.issuers.b.jwks-url", "https://same.example/jwks")));
    }
}
