package dev.herald.bench.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Herald on Payara Micro, started as the README starts it, pinned to core 0, with every limit
 * that would get in a benchmark's way lifted and a fresh database (H2 in a new folder, or the
 * PostgreSQL given).
 */
public final class HeraldServer {

    /**
     * Where the WAR and Payara Micro are ({@code mvn package} in the repository root), and the
     * production pre-boot commands Herald is started with ({@code server-config/preboot.asadmin}).
     */
    public record Artifacts(Path war, Path payaraMicro, Path prebootCommands) {

        /** The artifacts under {@code repositoryRoot/target}; fails with the command to build them when missing. */
        public static Artifacts in(Path repositoryRoot) {
            Artifacts artifacts = new Artifacts(repositoryRoot.resolve("target/herald.war"), repositoryRoot.resolve("target/payara-micro.jar"),
                    repositoryRoot.resolve("server-config/preboot.asadmin"));
            if (!Files.isRegularFile(artifacts.war) || !Files.isRegularFile(artifacts.payaraMicro)) {
                throw new IllegalStateException("missing " + artifacts.war + " or " + artifacts.payaraMicro
                        + ": run `mvn -B -o -q package -DskipTests` in " + repositoryRoot + " (bench/run does it)");
            }
            return artifacts;
        }
    }

    /** How Herald is started: its name in reports, JVM flags, the JWT secret and extra {@code herald.*} settings. */
    public record Launch(String name, List<String> jvmFlags, String jwtSecret, Map<String, String> settings, Path workDir) {
    }

    private static final Duration STARTUP = Duration.ofSeconds(240);

    private HeraldServer() {
    }

    /** Starts Herald and waits until {@code /health/ready} answers 200. */
    public static ServerUnderTest start(Artifacts artifacts, Launch launch, Supplier<List<Long>> helperPids)
            throws IOException, InterruptedException {
        int port = ManagedProcess.freePort();
        Files.createDirectories(launch.workDir());
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("herald.jwt.secret", launch.jwtSecret());
        settings.put("herald.db.url", "jdbc:h2:file:" + launch.workDir().toAbsolutePath().resolve("herald-data/herald"));
        settings.put("herald.limits.connections-per-channel", "0");
        settings.put("herald.limits.connections-per-user", "0");
        settings.put("herald.limits.connections-per-instance", "0");
        settings.put("herald.limits.client-messages-per-second", "0");
        settings.put("herald.idle-timeout", "0");
        settings.putAll(launch.settings());

        List<String> command = new ArrayList<>(List.of(ManagedProcess.javaBinary()));
        command.addAll(launch.jvmFlags());
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", artifacts.payaraMicro().toAbsolutePath().toString(),
                "--deploy", artifacts.war().toAbsolutePath().toString(),
                "--contextroot", "/", "--port", Integer.toString(port), "--nohazelcast", "--nocluster",
                "--prebootcommandfile", artifacts.prebootCommands().toAbsolutePath().toString()));
        ManagedProcess process = ManagedProcess.start(launch.name(), 0, command, launch.workDir().resolve(launch.name() + ".log"));
        process.awaitReady(() -> HttpProbe.answers200("http://127.0.0.1:" + port + "/health/ready"), STARTUP);
        List<String> shown = new ArrayList<>(List.of("taskset", "-c", "0"));
        command.stream().map(arg -> arg.startsWith("-Dherald.jwt.secret=") ? "-Dherald.jwt.secret=<random>" : arg).forEach(shown::add);
        return new LaunchedServer(launch.name(), port, process, helperPids, true, shown);
    }
}
