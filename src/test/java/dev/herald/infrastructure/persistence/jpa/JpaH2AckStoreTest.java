package dev.herald.infrastructure.persistence.jpa;

import dev.herald.application.config.HeraldConfig;
import dev.herald.domain.AckStore;
import dev.herald.domain.AckStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;

/** The JPA acknowledgement store on an H2 file database, Herald's default when no database is configured. */
class JpaH2AckStoreTest extends AckStoreContract {

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
    protected AckStore newStore() {
        return new JpaAckStore(database.entityManagerFactory(), Clock.systemUTC());
    }
}
