package dev.herald.infrastructure.persistence.jpa;

import dev.herald.application.config.HeraldConfig;
import dev.herald.domain.Leases;
import dev.herald.domain.LeasesContract;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;

/** JPA leases on a real PostgreSQL server; each JpaLeases over the shared database stands for one Herald instance. */
class JpaPostgresLeasesIT extends LeasesContract {

    private static EmbeddedPostgres postgres;
    private static HeraldDatabase database;

    @BeforeAll
    static void startPostgres() throws IOException {
        postgres = EmbeddedPostgres.start();
        database = HeraldDatabase.open(new HeraldConfig.Database(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "", 10, Duration.ofSeconds(5)));
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        try {
            if (database != null) {
                database.close();
            }
        } finally {
            if (postgres != null) {
                postgres.close();
            }
        }
    }

    @Override
    protected Leases newLeases(Clock clock) {
        return new JpaLeases(database.entityManagerFactory(), clock);
    }
}
