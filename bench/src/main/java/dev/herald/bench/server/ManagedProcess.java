package dev.herald.bench.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A process the harness started (a server, Redis), pinned to one core with {@code taskset}, its
 * output in a log file. Every one is registered so that a JVM shutdown hook kills whatever is
 * still running when the harness ends, however it ends.
 */
public final class ManagedProcess implements AutoCloseable {

    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ManagedProcess::killAll, "kill-started-processes"));
    }

    private final String name;
    private final Process process;
    private final Path log;

    private ManagedProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command} pinned to {@code core}, output to {@code log}. */
    public static ManagedProcess start(String name, int core, List<String> command, Path log) throws IOException {
        List<String> pinned = new ArrayList<>(List.of("taskset", "-c", Integer.toString(core)));
        pinned.addAll(command);
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(pinned).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        RUNNING.add(process);
        return new ManagedProcess(name, process, log);
    }

    /** The process id (taskset execs the command, so it is the command's own). */
    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    /** Waits until {@code ready} answers true, polling twice a second; fails when the process exits or the deadline passes. */
    public void awaitReady(BooleanSupplier ready, Duration deadline) throws IOException, InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + "; log " + log + ":\n" + tail());
            }
            if (ready.getAsBoolean()) {
                return;
            }
            process.waitFor(500, TimeUnit.MILLISECONDS);
        }
        close();
        throw new IOException(name + " was not ready within " + deadline.toSeconds() + " s; log " + log + ":\n" + tail());
    }

    /** SIGTERM, then SIGKILL after 30 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        RUNNING.remove(process);
    }

    /** The last few kilobytes of the log. */
    public String tail() {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.substring(Math.max(0, text.length() - 3000));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** A TCP port nobody listens on now. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The harness's own java binary. */
    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void killAll() {
        for (Process process : RUNNING) {
            process.destroyForcibly();
        }
    }
}
