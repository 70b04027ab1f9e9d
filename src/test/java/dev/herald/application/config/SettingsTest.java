package dev.herald.application.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest {

    private static Settings settings(Map<String, String> values) {
        return new Settings(key -> Optional.ofNullable(values.get(key)));
    }

    @ParameterizedTest
    @CsvSource({
            "500ms, PT0.5S",
            "30s,   PT30S",
            "5m,    PT5M",
            "1h,    PT1H",
            "7d,    PT168H",
            "'2 d', PT48H",
            "0,     PT0S",
            "0s,    PT0S",
            "'30 s', PT30S",
            "'  5m ', PT5M",
    })
    void readsDurationsInHeraldNotation(String text, String expected) {
        // given
        Settings s = settings(Map.of("herald.x", text));

        // when
        Duration d = s.duration("herald.x", "1h");

        // then
        assertEquals(Duration.parse(expected), d);
    }

    @Test
    void usesTheFallbackDurationWhenTheKeyIsAbsentOrBlank() {
        assertEquals(Duration.ofSeconds(30), settings(Map.of()).duration("herald.x", "30s"));
        assertEquals(Duration.ofSeconds(30), settings(Map.of("herald.x", "   ")).duration("herald.x", "30s"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"30", "-1s", "1.5s", "1.5d", "1D", "1w", "d", "s", "ms", "PT30S", "30sec", "1 h 2", "5M", "abc",
            "99999999999999999999s", "9223372036854775807h", "106751991167301d"})
    void refusesMalformedDurationsNamingTheKey(String text) {
        // given
        Settings s = settings(Map.of("herald.heartbeat.interval", text));

        // when
        Settings.InvalidSettingException e = assertThrows(Settings.InvalidSettingException.class,
                () -> s.duration("herald.heartbeat.interval", "30s"));

        // then
        assertTrue(e.getMessage().contains("herald.heartbeat.interval"), e.getMessage());
        assertTrue(e.getMessage().contains("'" + text.trim() + "'"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
            "65536,   65536",
            "64KiB,   65536",
            "4MiB,    4194304",
            "1024B,   1024",
            "0,       0",
            "'64 KiB', 65536",
    })
    void readsSizesInHeraldNotation(String text, long expected) {
        assertEquals(expected, settings(Map.of("herald.size", text)).size("herald.size", "1"));
    }

    @Test
    void usesTheFallbackSizeWhenTheKeyIsAbsent() {
        assertEquals(4L * 1024 * 1024, settings(Map.of()).size("herald.size", "4MiB"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"64kb", "64KB", "4mib", "1GiB", "-1", "1.5MiB", "KiB", "lots",
            "99999999999999999999", "17592186044416MiB", "9007199254740992KiB"})
    void refusesMalformedSizesNamingTheKey(String text) {
        // given
        Settings s = settings(Map.of("herald.limits.max-frame-size", text));

        // when
        Settings.InvalidSettingException e = assertThrows(Settings.InvalidSettingException.class,
                () -> s.size("herald.limits.max-frame-size", "64KiB"));

        // then
        assertTrue(e.getMessage().contains("herald.limits.max-frame-size"), e.getMessage());
    }

    @Test
    void readsIntegersWithinBounds() {
        Settings s = settings(Map.of("n", " 42 ", "low", "0", "high", "11", "word", "ten"));

        assertEquals(42, s.integer("n", 1, 0, 100));
        assertEquals(7, s.integer("absent", 7, 0, 100));
        Settings.InvalidSettingException low = assertThrows(Settings.InvalidSettingException.class,
                () -> s.integer("low", 5, 1, 10));
        assertTrue(low.getMessage().contains("low") && low.getMessage().contains("between 1 and 10"), low.getMessage());
        assertThrows(Settings.InvalidSettingException.class, () -> s.integer("high", 5, 1, 10));
        Settings.InvalidSettingException word = assertThrows(Settings.InvalidSettingException.class,
                () -> s.integer("word", 5, 1, 10));
        assertTrue(word.getMessage().contains("word"), word.getMessage());
    }

    @Test
    void readsBooleansInTheUsualSpellings() {
        Settings s = settings(Map.of("a", "TRUE", "b", "yes", "c", "off", "d", "0", "e", "maybe"));

        assertTrue(s.bool("a", false));
        assertTrue(s.bool("b", false));
        assertFalse(s.bool("c", true));
        assertFalse(s.bool("d", true));
        assertTrue(s.bool("absent", true));
        Settings.InvalidSettingException e = assertThrows(Settings.InvalidSettingException.class, () -> s.bool("e", false));
        assertTrue(e.getMessage().contains("e = 'maybe'"), e.getMessage());
    }

    @Test
    void trimsStringsAndTreatsBlankAsAbsent() {
        Settings s = settings(Map.of("a", "  v  ", "blank", "  "));

        assertEquals(Optional.of("v"), s.string("a"));
        assertEquals(Optional.empty(), s.string("blank"));
        assertEquals("fallback", s.string("blank", "fallback"));
    }

    @Test
    void invalidSecretSettingNamesTheKeyButNeverEchoesTheValue() {
        // given
        String value = "s3cr3t-value-that-must-not-leak";

        // when
        Settings.InvalidSettingException e = new Settings.InvalidSettingException("herald.jwt.secret", value, "too short");

        // then
        assertTrue(e.getMessage().contains("herald.jwt.secret"), e.getMessage());
        assertTrue(e.getMessage().contains("too short"), e.getMessage());
        assertFalse(e.getMessage().contains(value), e.getMessage());
    }

    @Test
    void invalidSettingReadThroughASecretKeyDoesNotEchoTheValue() {
        // given a secret-named key read as a size, which fails to parse
        String value = "hunter2-is-my-password";
        Settings s = settings(Map.of("herald.redis.secret-size", value, "herald.db.password-ttl", value));

        // when
        Settings.InvalidSettingException size = assertThrows(Settings.InvalidSettingException.class,
                () -> s.size("herald.redis.secret-size", "1"));
        Settings.InvalidSettingException duration = assertThrows(Settings.InvalidSettingException.class,
                () -> s.duration("herald.db.password-ttl", "1s"));

        // then
        assertTrue(size.getMessage().contains("herald.redis.secret-size"), size.getMessage());
        assertFalse(size.getMessage().contains("hunter2"), size.getMessage());
        assertFalse(duration.getMessage().contains("hunter2"), duration.getMessage());
    }

    @Test
    void invalidOrdinarySettingEchoesTheValueToHelpTheOperator() {
        Settings.InvalidSettingException e = new Settings.InvalidSettingException("herald.auth-timeout", "5x", "bad");
        assertTrue(e.getMessage().contains("herald.auth-timeout = '5x'"), e.getMessage());
    }
}
