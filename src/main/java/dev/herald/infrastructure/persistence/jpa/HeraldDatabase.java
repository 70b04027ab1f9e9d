package dev.herald.infrastructure.persistence.jpa;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.IMetricsTracker;
import dev.herald.application.config.HeraldConfig;
import dev.herald.application.metrics.StoreProbe;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.SharedCacheMode;
import jakarta.persistence.ValidationMode;
import jakarta.persistence.spi.ClassTransformer;
import jakarta.persistence.spi.PersistenceUnitInfo;
import jakarta.persistence.spi.PersistenceUnitTransactionType;
import org.flywaydb.core.Flyway;
import org.hibernate.jpa.HibernatePersistenceProvider;

import javax.sql.DataSource;
import java.net.URL;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.LongAdder;

/**
 * The event store's database: a pooled DataSource for {@code herald.db.url}, migrated by Flyway
 * (the same scripts on H2 and PostgreSQL), and a Hibernate EntityManagerFactory over it.
 *
 * <p>Herald bootstraps its persistence unit itself instead of through the server's JPA container:
 * the database is chosen at run time from MicroProfile Config, the driver ships in the WAR, and the
 * same code runs in plain-JVM tests against real H2 and PostgreSQL.
 */
public final class HeraldDatabase implements StoreProbe, AutoCloseable {

    /**
     * Hibernate logs every refused statement at ERROR, including the duplicate keys Herald provokes
     * on purpose when two instances create the same channel, ack or lease row at once and the loser
     * carries on. Herald reports real store failures itself (503 answers, SEVERE logs for the
     * unexpected), so this one logger is silenced. Held in a field: JUL keeps loggers weakly.
     */
    private static final java.util.logging.Logger SQL_EXCEPTION_LOG =
            java.util.logging.Logger.getLogger("org.hibernate.engine.jdbc.spi.SqlExceptionHelper");

    static {
        SQL_EXCEPTION_LOG.setLevel(java.util.logging.Level.OFF);
    }

    private static final List<Class<?>> ENTITIES = List.of(ChannelEntity.class, EventEntity.class, AckEntity.class, LeaseEntity.class,
            IdempotencyEntity.class, AuditEntity.class);

    private final HikariDataSource dataSource;
    private final EntityManagerFactory entityManagerFactory;
    private final LongAdder unavailable;

    private HeraldDatabase(HikariDataSource dataSource, EntityManagerFactory entityManagerFactory, LongAdder unavailable) {
        this.dataSource = dataSource;
        this.entityManagerFactory = entityManagerFactory;
        this.unavailable = unavailable;
    }

    /** Connects, migrates the schema to the latest version, and starts Hibernate. */
    public static HeraldDatabase open(HeraldConfig.Database settings) {
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("herald");
        pool.setJdbcUrl(settings.url());
        if (!settings.user().isEmpty()) {
            pool.setUsername(settings.user());
        }
        if (!settings.password().isEmpty()) {
            pool.setPassword(settings.password());
        }
        pool.setMaximumPoolSize(settings.poolSize());
        // Fail a request fast (503) when the database is unreachable instead of holding it for Hikari's 30 s default.
        pool.setConnectionTimeout(Math.max(250, settings.acquireTimeout().toMillis()));
        pool.setAutoCommit(false);
        ClassLoader loader = HeraldDatabase.class.getClassLoader();
        pool.setDriverClassName(driverFor(settings.url()));
        if (settings.url().startsWith("jdbc:h2:") && !settings.url().toUpperCase(Locale.ROOT).contains("OPTIMIZE_REUSE_RESULTS")) {
            // H2 2.2 may answer a repeated query from a result cached while a concurrent commit was in flight, and
            // keeps doing so until the table changes again (h2database#3894): a read after append() returned could
            // miss the event. Herald's tables change all the time, so the cache buys nothing anyway.
            pool.addDataSourceProperty("OPTIMIZE_REUSE_RESULTS", "FALSE");
        }
        if (settings.url().startsWith("jdbc:postgresql:") && !settings.url().contains("reWriteBatchedInserts")) {
            // A batch of event inserts (group commit, POST /api/events) goes out as multi-row INSERTs, not one per row.
            pool.addDataSourceProperty("reWriteBatchedInserts", "true");
        }
        LongAdder unavailable = new LongAdder();
        pool.setMetricsTrackerFactory((name, stats) -> new IMetricsTracker() {
            @Override
            public void recordConnectionTimeout() {
                unavailable.increment();
            }
        });
        HikariDataSource dataSource = new HikariDataSource(pool);
        try {
            Flyway.configure(loader).dataSource(dataSource).locations("classpath:db/migration").load().migrate();
            EntityManagerFactory emf = new HibernatePersistenceProvider()
                    .createContainerEntityManagerFactory(new Unit(dataSource, loader), Map.of());
            return new HeraldDatabase(dataSource, emf, unavailable);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    public EntityManagerFactory entityManagerFactory() {
        return entityManagerFactory;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Whether a pooled connection can be had and answers within a second; blocks up to the acquire timeout when the pool is empty. */
    @Override
    public boolean ping() {
        try (java.sql.Connection c = dataSource.getConnection()) {
            return c.isValid(1);
        } catch (SQLException e) {
            return false;
        }
    }

    /** Connection requests that timed out (the database unreachable, or the pool exhausted). */
    @Override
    public long unavailable() {
        return unavailable.sum();
    }

    @Override
    public void close() {
        try {
            entityManagerFactory.close();
        } finally {
            dataSource.close();
        }
    }

    /** Drivers are named explicitly: DriverManager does not see drivers inside a WAR on every server. */
    static String driverFor(String url) {
        if (url.startsWith("jdbc:h2:")) {
            return "org.h2.Driver";
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return "org.postgresql.Driver";
        }
        throw new IllegalArgumentException("herald.db.url must be a jdbc:h2: or jdbc:postgresql: URL");
    }

    /** The persistence unit, described in code rather than in persistence.xml. */
    private record Unit(DataSource dataSource, ClassLoader loader) implements PersistenceUnitInfo {

        @Override
        public String getPersistenceUnitName() {
            return "herald";
        }

        @Override
        public String getPersistenceProviderClassName() {
            return HibernatePersistenceProvider.class.getName();
        }

        @Override
        public PersistenceUnitTransactionType getTransactionType() {
            return PersistenceUnitTransactionType.RESOURCE_LOCAL;
        }

        @Override
        public DataSource getJtaDataSource() {
            return null;
        }

        @Override
        public DataSource getNonJtaDataSource() {
            return dataSource;
        }

        @Override
        public List<String> getMappingFileNames() {
            return List.of();
        }

        @Override
        public List<URL> getJarFileUrls() {
            return List.of();
        }

        @Override
        public URL getPersistenceUnitRootUrl() {
            return null;
        }

        @Override
        public List<String> getManagedClassNames() {
            return ENTITIES.stream().map(Class::getName).toList();
        }

        @Override
        public boolean excludeUnlistedClasses() {
            return true;
        }

        @Override
        public SharedCacheMode getSharedCacheMode() {
            return SharedCacheMode.NONE;
        }

        @Override
        public ValidationMode getValidationMode() {
            return ValidationMode.NONE;
        }

        @Override
        public Properties getProperties() {
            Properties p = new Properties();
            // Flyway owns the schema.
            p.setProperty("hibernate.hbm2ddl.auto", "none");
            p.setProperty("hibernate.connection.provider_disables_autocommit", "true");
            p.setProperty("hibernate.jdbc.batch_size", "100");
            p.setProperty("hibernate.order_inserts", "true");
            p.setProperty("hibernate.jdbc.time_zone", "UTC");
            p.setProperty("hibernate.archive.autodetection", "none");
            p.setProperty("hibernate.bytecode.use_reflection_optimizer", "false");
            p.setProperty("jakarta.persistence.validation.mode", "none");
            return p;
        }

        @Override
        public String getPersistenceXMLSchemaVersion() {
            return "3.1";
        }

        @Override
        public ClassLoader getClassLoader() {
            return loader;
        }

        @Override
        public void addTransformer(ClassTransformer transformer) {
            // No bytecode enhancement: the entities are plain rows.
        }

        @Override
        public ClassLoader getNewTempClassLoader() {
            return null;
        }
    }
}
