package dev.herald.infrastructure.persistence.jpa;

import dev.herald.application.config.HeraldConfig;
import dev.herald.domain.RetentionStoreContract;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;

/** Retention on the JPA event store, on a real PostgreSQL server started from the embedded binaries for this class. */
class JpaPostgresRetentionStoreIT extends RetentionStoreContract {

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
    protected Stores newStores(Clock clock) {
        return new Stores(new JpaEventStore(database.entityManagerFactory(), clock),
                new JpaRetentionStore(database.entityManagerFactory()));
    }
}
