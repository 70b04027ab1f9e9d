package dev.herald.bench.server;

import dev.herald.bench.raw.RawBroadcastServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The raw Netty baseline ({@link RawBroadcastServer}) in its own JVM, pinned to core 0 like Herald. */
public final class RawServer {

    private RawServer() {
    }

    /** Starts the baseline with the harness's own class path and the same JVM flags Herald gets. */
    public static ServerUnderTest start(List<String> jvmFlags, Path workDir) throws IOException, InterruptedException {
        int port = ManagedProcess.freePort();
        List<String> command = new ArrayList<>(List.of(ManagedProcess.javaBinary()));
        command.addAll(jvmFlags);
        String classPath = System.getProperty("java.class.path");
        command.addAll(List.of("-cp", classPath, RawBroadcastServer.class.getName(), Integer.toString(port)));
        ManagedProcess process = ManagedProcess.start("raw-netty", 0, command, workDir.resolve("raw-netty.log"));
        process.awaitReady(() -> HttpProbe.answers200("http://127.0.0.1:" + port + "/health/ready"), Duration.ofSeconds(60));
        List<String> shown = new ArrayList<>(List.of("taskset", "-c", "0"));
        shown.addAll(command.stream().map(arg -> arg.equals(classPath) ? "<harness class path>" : arg).toList());
        return new LaunchedServer("raw-netty", port, process, List::of, false, shown);
    }
}
