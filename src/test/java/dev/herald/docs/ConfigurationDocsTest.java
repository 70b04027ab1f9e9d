package dev.herald.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's configuration table and server-config/herald.env.example name the same settings. */
class ConfigurationDocsTest {

    /** A table row's first cell: {@code | `herald.a.b` |} or {@code | `herald.a` / `herald.b` |}. */
    private static final Pattern ROW = Pattern.compile("^\\| (`herald\\.[a-z.-]+`(?: / `herald\\.[a-z.-]+`)*) \\|", Pattern.MULTILINE);
    private static final Pattern KEY = Pattern.compile("herald\\.[a-z.-]+");
    private static final Pattern VARIABLE = Pattern.compile("^# (HERALD_[A-Z0-9_]+)=", Pattern.MULTILINE);

    @Test
    void everySettingInTheReadmeTableHasItsVariableInTheEnvironmentExample() throws IOException {
        Set<String> documented = readmeVariables();
        Set<String> example = exampleVariables();
        assertTrue(documented.size() > 40, "the README table was not found: " + documented);
        Set<String> missing = new TreeSet<>(documented);
        missing.removeAll(example);
        assertEquals(Set.of(), missing, "in the README table, not in server-config/herald.env.example");
    }

    @Test
    void theEnvironmentExampleNamesNoSettingTheReadmeLacks() throws IOException {
        Set<String> unknown = new TreeSet<>(exampleVariables());
        unknown.removeAll(readmeVariables());
        // Named issuers and per-namespace channel limits are families: their keys embed a name.
        unknown.removeIf(v -> v.startsWith("HERALD_JWT_ISSUERS_") || v.startsWith("HERALD_LIMITS_CONNECTIONS_PER_CHANNEL_")
                || v.equals("HERALD_LIMITS_CLIENT_MESSAGES_BURST") || v.equals("HERALD_LIMITS_CONNECTION_BURST"));
        assertEquals(Set.of(), unknown, "in server-config/herald.env.example, not in the README table");
    }

    static String variable(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static Set<String> readmeVariables() throws IOException {
        Set<String> variables = new TreeSet<>();
        Matcher row = ROW.matcher(Files.readString(Path.of("README.md")));
        while (row.find()) {
            Matcher key = KEY.matcher(row.group(1));
            while (key.find()) {
                variables.add(variable(key.group()));
            }
        }
        return variables;
    }

    private static Set<String> exampleVariables() throws IOException {
        Set<String> variables = new TreeSet<>();
        Matcher line = VARIABLE.matcher(Files.readString(Path.of("server-config", "herald.env.example")));
        while (line.find()) {
            variables.add(line.group(1));
        }
        return variables;
    }
}
