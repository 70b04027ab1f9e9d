package dev.herald.infrastructure.persistence.jpa;

import dev.herald.application.config.HeraldConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** Restarting Herald, and the PostgreSQL server under it, on a database Herald has used before. */
class JpaPostgresRestartIT extends HeraldDatabaseRestartContract {

    @TempDir
    static Path dataDirectory;

    private static EmbeddedPostgres.Builder server;
    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void startPostgres() throws IOException {
        // A data directory of our own that outlives the server process, so a restart finds the data again.
        server = EmbeddedPostgres.builder().setDataDirectory(dataDirectory).setCleanDataDirectory(false);
        postgres = server.start();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Override
    protected String newDatabase() throws SQLException {
        String name = "herald_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("create database " + name);
        }
        return name;
    }

    @Override
    protected HeraldConfig.Database settings(String database) {
        return new HeraldConfig.Database(postgres.getJdbcUrl("postgres", database), "postgres", "", 4, java.time.Duration.ofSeconds(5));
    }

    @Override
    protected void restart(String database) throws IOException {
        postgres.close();
        postgres = server.start();
    }
}
