package dev.herald.infrastructure.persistence.jpa;

import dev.herald.application.audit.AuditStore;
import dev.herald.application.audit.AuditStoreContract;
import dev.herald.application.config.HeraldConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.time.Duration;

/** The audit store on a real PostgreSQL server started from the embedded binaries for this class. */
class JpaPostgresAuditStoreIT extends AuditStoreContract {

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
    protected AuditStore store() {
        return new JpaAuditStore(database.entityManagerFactory());
    }
}
