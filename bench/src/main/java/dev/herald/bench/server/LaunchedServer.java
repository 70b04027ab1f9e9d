package dev.herald.bench.server;

import java.util.List;
import java.util.function.Supplier;

/** A server in its own process, as {@link HeraldServer} and {@link RawServer} start it. */
final class LaunchedServer implements ServerUnderTest {

    private final String name;
    private final int port;
    private final ManagedProcess process;
    private final Supplier<List<Long>> helperPids;
    private final boolean replays;
    private final List<String> commandLine;

    LaunchedServer(String name, int port, ManagedProcess process, Supplier<List<Long>> helperPids, boolean replays, List<String> commandLine) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.helperPids = helperPids;
        this.replays = replays;
        this.commandLine = List.copyOf(commandLine);
    }

    @Override
    public String name() {
        return name;
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
        return helperPids.get();
    }

    @Override
    public boolean replays() {
        return replays;
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
