package dev.herald.infrastructure.persistence.jpa;

import dev.herald.application.config.HeraldConfig;
import dev.herald.domain.RetentionStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** Retention on the JPA event store, on an H2 file database, Herald's default when no database is configured. */
class JpaH2RetentionStoreTest extends RetentionStoreContract {

    @TempDir
    static Path dir;

    private static HeraldDatabase database;

    @BeforeAll
    static void openDatabase() {
        database = HeraldDatabase.open(new HeraldConfig.Database("jdbc:h2:file:" + dir.resolve("herald"), "", "", 10, Duration.ofSeconds(5)));
    }

    @AfterAll
    static void closeDatabase() {
        if (database != null) {
            database.close();
        }
    }

    @Override
    protected Stores newStores(Clock clock) {
        return new Stores(new JpaEventStore(database.entityManagerFactory(), clock),
                new JpaRetentionStore(database.entityManagerFactory()));
    }
}
