package dev.herald.infrastructure.persistence.jpa;

import dev.herald.application.audit.AuditStore;
import dev.herald.application.audit.AuditStoreContract;
import dev.herald.application.config.HeraldConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

/** The audit store on an H2 file database, Herald's default when no database is configured. */
class JpaH2AuditStoreTest extends AuditStoreContract {

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
    protected AuditStore store() {
        return new JpaAuditStore(database.entityManagerFactory());
    }
}
