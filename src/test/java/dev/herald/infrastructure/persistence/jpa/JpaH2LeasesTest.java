package dev.herald.infrastructure.persistence.jpa;

import dev.herald.application.config.HeraldConfig;
import dev.herald.domain.Leases;
import dev.herald.domain.LeasesContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** JPA leases on an H2 file database; each JpaLeases over the shared database stands for one Herald instance. */
class JpaH2LeasesTest extends LeasesContract {

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
    protected Leases newLeases(Clock clock) {
        return new JpaLeases(database.entityManagerFactory(), clock);
    }
}
