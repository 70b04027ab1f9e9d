package dev.herald.bench;

import dev.herald.bench.client.SourceAddresses;
import dev.herald.bench.report.RunReport;
import dev.herald.bench.server.HeraldServer;
import dev.herald.bench.server.HmacJwt;
import dev.herald.bench.server.RawServer;
import dev.herald.bench.server.ServerUnderTest;
import dev.herald.bench.system.GitCheckout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What every scenario of one run shares: options, where the repository, results and scratch
 * folders are, the JWT secret and signer, the rotating client source addresses, and how to start
 * the servers (same JVM flags for Herald and the raw baseline).
 */
public final class BenchContext {

    /** Herald and the baseline get the same heap and collector (one core: the JVM would pick Serial anyway). */
    static final List<String> DEFAULT_SERVER_JVM = List.of("-Xms256m", "-Xmx2g", "-XX:+UseSerialGC");

    private final String scenario;
    private final String commandLine;
    private final Options options;
    private final Path repository;
    private final Path results;
    private final Path work;
    private final String secret;
    private final HmacJwt jwt;
    private final SourceAddresses sources;
    private final Instant started = Instant.now();
    private final String runId;

    BenchContext(String scenario, String commandLine, Options options, Path repository, Path results) throws IOException {
        this.scenario = scenario;
        this.commandLine = commandLine;
        this.options = options;
        this.repository = repository;
        this.results = results;
        this.runId = Long.toString(started.getEpochSecond(), 36);
        this.work = results.resolve("work").resolve(runId);
        Files.createDirectories(work);
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        this.secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        this.jwt = new HmacJwt(secret);
        this.sources = new SourceAddresses(options.integer("sockets-per-address", SourceAddresses.DEFAULT_PER_ADDRESS, SourceAddresses.DEFAULT_PER_ADDRESS));
    }

    /** An empty report of this run's scenario: command, options (as they get resolved) and machine. */
    public RunReport newReport() {
        return new RunReport(scenario, started, commandLine, options.resolved(), machine());
    }

    public Options options() {
        return options;
    }

    public Path results() {
        return results;
    }

    /** Scratch space for this run: server logs, databases. */
    public Path work() {
        return work;
    }

    public Instant started() {
        return started;
    }

    /** Short id of this run, used in channel names so every target starts on fresh channels. */
    public String runId() {
        return runId;
    }

    public SourceAddresses sources() {
        return sources;
    }

    /** A subscriber token for {@code subject}: subscribe to every {@code bench:*} channel, for two hours. */
    public String subscriberToken(String subject) {
        return jwt.sign(subject, List.of("bench:*"), List.of(), Instant.now().plus(Duration.ofHours(2)));
    }

    /** The publisher's token: publish and read every {@code bench:*} channel. */
    public String publisherToken() {
        return jwt.sign("bench-publisher", List.of("bench:*"), List.of("bench:*"), Instant.now().plus(Duration.ofHours(2)));
    }

    /** JVM flags for both servers ({@code --server-jvm "-Xmx2g -XX:+UseSerialGC"}). */
    public List<String> serverJvmFlags() {
        String flags = options.text("server-jvm", String.join(" ", DEFAULT_SERVER_JVM));
        return List.of(flags.trim().split("\\s+"));
    }

    /** Starts the raw baseline on core 0. */
    public ServerUnderTest startRaw() throws IOException, InterruptedException {
        log("starting raw-netty baseline");
        return RawServer.start(serverJvmFlags(), work);
    }

    /** Starts Herald on core 0 with {@code settings} on top of the benchmark's lifted limits. */
    public ServerUnderTest startHerald(String name, Map<String, String> settings, Supplier<List<Long>> helperPids)
            throws IOException, InterruptedException {
        log("starting " + name + " (Payara Micro, 20-60 s)");
        HeraldServer.Artifacts artifacts = HeraldServer.Artifacts.in(repository);
        Path dir = work.resolve(name);
        return HeraldServer.start(artifacts, new HeraldServer.Launch(name, serverJvmFlags(), secret, settings, dir), helperPids);
    }

    /** What the report says about the machine, and which Herald commit ran on it. */
    public Map<String, Object> machine() {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cpus", Runtime.getRuntime().availableProcessors() + " for the harness (pinned), " + onlineCpus() + " online");
        machine.put("cpu", firstLine("/proc/cpuinfo", "model name"));
        machine.put("kernel", read("/proc/sys/kernel/osrelease"));
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        machine.put("open_files_limit", openFilesLimit());
        machine.put("memory", firstLine("/proc/meminfo", "MemTotal"));
        machine.put("herald", GitCheckout.describe(repository));
        return machine;
    }

    /** This process's open-file limit (the soft limit bench/run raised to the hard limit). */
    public static long openFilesLimit() {
        String line = firstLine("/proc/self/limits", "Max open files");
        String[] parts = line.trim().split("\\s+");
        try {
            return Long.parseLong(parts[3]);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static String onlineCpus() {
        return read("/sys/devices/system/cpu/online");
    }

    private static String firstLine(String file, String prefix) {
        try {
            return Files.readAllLines(Path.of(file)).stream().filter(l -> l.startsWith(prefix)).findFirst()
                    .map(l -> l.contains(":") ? l.substring(l.indexOf(':') + 1).trim() : l).orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    /** A progress line on standard error, with the time. */
    public static void log(String message) {
        System.err.printf("%tT  %s%n", System.currentTimeMillis(), message);
    }
}
