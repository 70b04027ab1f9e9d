package dev.herald.bench.server;

import dev.herald.bench.raw.RawBroadcastServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The raw Netty baseline ({@link RawBroadcastServer}) in its own JVM, pinned to core 0 like Herald. */
public final class RawServer implements ServerUnderTest {

    private final int port;
    private final ManagedProcess process;
    private final List<String> commandLine;

    private RawServer(int port, ManagedProcess process, List<String> commandLine) {
        this.port = port;
        this.process = process;
        this.commandLine = commandLine;
    }

    /** Starts the baseline with the harness's own class path and the same JVM flags Herald gets. */
    public static RawServer start(List<String> jvmFlags, Path workDir) throws IOException, InterruptedException {
        int port = ManagedProcess.freePort();
        List<String> command = new ArrayList<>(List.of(ManagedProcess.javaBinary()));
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), RawBroadcastServer.class.getName(), Integer.toString(port)));
        ManagedProcess process = ManagedProcess.start("raw-netty", 0, command, workDir.resolve("raw-netty.log"));
        process.awaitReady(() -> HttpProbe.answers200("http://127.0.0.1:" + port + "/health/ready"), Duration.ofSeconds(60));
        List<String> shown = new ArrayList<>(List.of("taskset", "-c", "0"));
        shown.addAll(command.stream().map(arg -> arg.contains(":") && arg.contains(".jar") ? "<harness class path>" : arg).toList());
        return new RawServer(port, process, shown);
    }

    @Override
    public String name() {
        return "raw-netty";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public List<Long> helperPids() {
        return List.of();
    }

    @Override
    public boolean replays() {
        return false;
    }

    @Override
    public List<String> commandLine() {
        return commandLine;
    }

    @Override
    public void close() {
        process.close();
    }
}
