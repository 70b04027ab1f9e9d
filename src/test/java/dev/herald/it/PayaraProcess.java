package dev.herald.it;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Herald started exactly as the README starts it ({@code java -jar payara-micro.jar --deploy
 * herald.war --contextroot /}), in a working folder of the test's choosing, for tests that need
 * to stop and start the server themselves.
 */
public final class PayaraProcess implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(180);
    /** Payara Micro's boot summary when the deployment failed. */
    private static final Pattern NOTHING_DEPLOYED = Pattern.compile("\"Deployed\":\\s*\\[\\s*]");

    private final Process process;
    private final int port;
    private final Path log;

    private PayaraProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static PayaraProcess start(Path workDir, Map<String, String> systemProperties) throws IOException, InterruptedException {
        return start(workDir, systemProperties, freePort());
    }

    /**
     * Starts the server and waits until Herald answers. Payara Micro now and then finishes its boot
     * without deploying the WAR at all (seen once in CI: an NPE inside its JACC policy loader, then
     * {@code "Deployed": []}); such a start is recognised from the log at once and tried once more
     * rather than waited out.
     */
    public static PayaraProcess start(Path workDir, Map<String, String> systemProperties, int port)
            throws IOException, InterruptedException {
        try {
            return launch(workDir, systemProperties, port);
        } catch (NothingDeployed first) {
            System.err.println("PayaraProcess: " + first.getMessage() + "; starting once more");
            return launch(workDir, systemProperties, port);
        }
    }

    private static PayaraProcess launch(Path workDir, Map<String, String> systemProperties, int port)
            throws IOException, InterruptedException {
        Path log = workDir.resolve("payara-" + System.nanoTime() + ".log");
        List<String> command = new ArrayList<>(List.of(
                javaBinary(), "-Xmx512m", "-XX:TieredStopAtLevel=1"));
        systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-jar", new File(System.getProperty("payara.micro.jar", "target/payara-micro.jar")).getAbsolutePath(),
                "--deploy", new File(System.getProperty("herald.war", "target/herald.war")).getAbsolutePath(),
                "--contextroot", "/", "--port", Integer.toString(port), "--nohazelcast", "--nocluster"));
        Process process = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        PayaraProcess payara = new PayaraProcess(process, port, log);
        payara.awaitReady();
        return payara;
    }

    public URL url() {
        try {
            return URI.create("http://127.0.0.1:" + port + "/").toURL();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The server's process id, to read its memory use from outside. */
    public long pid() {
        return process.pid();
    }

    public String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** A test's body, run against a started server. */
    @FunctionalInterface
    public interface Body {
        void run(PayaraProcess server) throws Exception;
    }

    /**
     * Starts a server, runs the body against it and stops it; an assertion that fails carries the
     * first problems of the server's log.
     */
    public static void with(Path workDir, Map<String, String> systemProperties, Body body) throws Exception {
        try (PayaraProcess server = start(workDir, systemProperties)) {
            try {
                body.run(server);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\nserver log:" + server.problems(), e);
            }
        }
    }

    /** The log's first lines that report a SEVERE record or an exception. */
    private String problems() throws IOException {
        return log().lines().filter(l -> l.contains("SEVERE") || l.contains("Exception")).limit(20)
                .reduce("", (a, b) -> a + "\n" + b);
    }

    /** Kills with SIGKILL, like a crash: no shutdown hook runs, clients see their sockets drop. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("Payara Micro did not die within 30 s of SIGKILL");
        }
    }

    /** Stops with SIGTERM, as an orchestrator would, and waits for the process to end. */
    public void stop() throws InterruptedException {
        terminate();
        awaitExit();
    }

    /** Sends SIGTERM and returns at once: the instance drains, then exits ({@link #awaitExit}). */
    public void terminate() {
        process.destroy();
    }

    public void awaitExit() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("Payara Micro did not stop within 60 s of SIGTERM");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }

    private void awaitReady() throws InterruptedException, IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("Payara Micro exited with " + process.exitValue() + ":\n" + tail());
            }
            if (NOTHING_DEPLOYED.matcher(log()).find()) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                throw new NothingDeployed("Payara Micro booted without deploying Herald (log " + log + "):\n" + tail());
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(url() + "api/channels/x:y/events"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 401) {
                    return; // Herald itself answers: deployed and serving
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            process.waitFor(500, TimeUnit.MILLISECONDS);
        }
        process.destroyForcibly();
        throw new AssertionError("Herald did not answer within " + STARTUP + ":\n" + tail());
    }

    /** A boot that finished without Herald deployed: worth one more start, unlike any other failure. */
    private static final class NothingDeployed extends AssertionError {
        NothingDeployed(String message) {
            super(message);
        }
    }

    private String tail() throws IOException {
        String text = log();
        return text.substring(Math.max(0, text.length() - 4000));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
