package dev.herald.infrastructure.persistence.jpa;

import dev.herald.application.config.HeraldConfig;
import dev.herald.domain.EventStore;
import dev.herald.domain.EventStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;

/** The JPA event store on an H2 file database, Herald's default when no database is configured. */
class JpaH2EventStoreTest extends EventStoreContract {

    @TempDir
    static Path dir;

    private static HeraldDatabase database;

    @BeforeAll
    static void openDatabase() {
        database = HeraldDatabase.open(new HeraldConfig.Database("jdbc:h2:file:" + dir.resolve("herald"), "", "", 10, java.time.Duration.ofSeconds(5)));
    }

    @AfterAll
    static void closeDatabase() {
        if (database != null) {
            database.close();
        }
    }

    @Override
    protected EventStore newStore() {
        return new JpaEventStore(database.entityManagerFactory(), Clock.systemUTC());
    }
}
