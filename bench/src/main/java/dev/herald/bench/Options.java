package dev.herald.bench;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Command-line options: {@code --name value} or {@code --name=value}, and the flag
 * {@code --quick}. Each scenario asks for its values with a full-size default (issue 6's sizes)
 * and a quick one; every value asked is remembered, as resolved, for the report.
 */
public final class Options {

    private final Map<String, String> given = new HashMap<>();
    private final Map<String, Object> resolved = new LinkedHashMap<>();
    private final Set<String> asked = new TreeSet<>();
    private final boolean quick;

    private Options(Map<String, String> given) {
        this.given.putAll(given);
        this.quick = given.containsKey("quick");
        resolved.put("quick", quick);
    }

    /** Parses everything after the scenario name. */
    public static Options parse(String[] args) {
        Map<String, String> given = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + arg + " (options are --name value)");
            }
            String name = arg.substring(2);
            int eq = name.indexOf('=');
            if (eq >= 0) {
                given.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (name.equals("quick")) {
                given.put(name, "true");
            } else if (i + 1 < args.length) {
                given.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
        }
        return new Options(given);
    }

    public boolean quick() {
        return quick;
    }

    /** An integer option: given, else {@code quickDefault} with --quick, else {@code fullDefault}. */
    public int integer(String name, int fullDefault, int quickDefault) {
        int value = given.containsKey(name) ? Integer.parseInt(given.get(name).replace("_", "").replace(",", "")) : quick ? quickDefault : fullDefault;
        remember(name, value);
        return value;
    }

    /** A decimal option, like {@link #integer}. */
    public double decimal(String name, double fullDefault, double quickDefault) {
        double value = given.containsKey(name) ? Double.parseDouble(given.get(name)) : quick ? quickDefault : fullDefault;
        remember(name, value);
        return value;
    }

    /** A text option. */
    public String text(String name, String fullDefault) {
        String value = given.getOrDefault(name, fullDefault);
        remember(name, value);
        return value;
    }

    private void remember(String name, Object value) {
        asked.add(name);
        resolved.put(name, value);
    }

    /** Options given on the command line that no scenario asked for (likely typos). */
    public Set<String> unused() {
        Set<String> unused = new TreeSet<>(given.keySet());
        unused.removeAll(asked);
        unused.remove("quick");
        return unused;
    }

    /** Every value used, as resolved. */
    public Map<String, Object> resolved() {
        return resolved;
    }
}
