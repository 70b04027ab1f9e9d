package dev.herald.bench.server;

import java.util.List;

/**
 * A WebSocket server the harness measures: Herald, or the raw Netty baseline. Both accept the
 * same single-channel URLs ({@code /ws/{namespace}/{id}}) and the same HTTP publish
 * ({@code POST /api/channels/{channel}/events}), so every scenario drives them identically.
 */
public interface ServerUnderTest extends AutoCloseable {

    /** Short name used in reports: {@code raw-netty}, {@code herald-memory}, {@code herald-redis-postgres}. */
    String name();

    /** The TCP port it serves HTTP and WebSocket on, at 127.0.0.1. */
    int port();

    /** The server JVM's process id (its CPU and memory are measured). */
    long pid();

    /** Processes the server depends on (Redis, PostgreSQL and its backends), measured apart from "other". */
    List<Long> helperPids();

    /** True when the server keeps history (the raw baseline does not, so it cannot replay). */
    boolean replays();

    /** What the server was started with, for the report. */
    List<String> commandLine();

    @Override
    void close();
}
