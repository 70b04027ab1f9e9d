package dev.herald.infrastructure.persistence.jpa;

import dev.herald.application.config.HeraldConfig;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventDraft;
import dev.herald.domain.EventType;
import dev.herald.domain.Sequence;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What must hold when Herald restarts on a database it has used before: Flyway finds the schema
 * current and changes nothing, and what was stored is still there. Run against each database by a
 * subclass.
 */
abstract class HeraldDatabaseRestartContract {

    /** Creates an empty database of this test's own and returns its name. */
    protected abstract String newDatabase() throws Exception;

    /** How Herald connects to the named database now (a restarted server may listen elsewhere). */
    protected abstract HeraldConfig.Database settings(String database);

    /**
     * Called after every HeraldDatabase on the named database is closed: restarts the database
     * server, or checks that the embedded database really closed, so that reopening reads from disk.
     */
    protected abstract void restart(String database) throws Exception;

    @Test
    void reopeningAMigratedDatabaseAppliesNoMigrationAgain() throws Exception {
        // given: a database migrated by a first start
        String name = newDatabase();
        List<String> historyAfterFirstStart;
        try (HeraldDatabase db = HeraldDatabase.open(settings(name))) {
            historyAfterFirstStart = migrationHistory(db);
        }
        restart(name);

        // when
        List<String> historyAfterSecondStart;
        try (HeraldDatabase db = HeraldDatabase.open(settings(name))) {
            historyAfterSecondStart = migrationHistory(db);
        }

        // then: every script ran once, successfully, on the first start, and nothing since
        List<String> migrations = historyAfterFirstStart.stream().filter(row -> !row.startsWith("null ")).toList();
        assertFalse(migrations.isEmpty(), "no migration recorded: " + historyAfterFirstStart);
        assertTrue(migrations.get(0).startsWith("1 V1__event_store.sql "), migrations.get(0));
        assertTrue(historyAfterFirstStart.stream().allMatch(row -> row.endsWith(" success=true")), historyAfterFirstStart.toString());
        assertEquals(migrations.size(), migrations.stream().map(row -> row.split(" ")[0]).distinct().count(),
                "a version applied twice: " + migrations);
        assertEquals(historyAfterFirstStart, historyAfterSecondStart);
    }

    @Test
    void eventsAndAcknowledgementsSurviveARestart() throws Exception {
        // given: events and an acknowledgement stored before a restart
        String name = newDatabase();
        ChannelName channel = ChannelName.of("restart", "ch-" + UUID.randomUUID());
        EventType type = new EventType("restart.test");
        List<Event> before = new ArrayList<>();
        try (HeraldDatabase db = HeraldDatabase.open(settings(name))) {
            JpaEventStore events = new JpaEventStore(db.entityManagerFactory(), Clock.systemUTC());
            before.add(events.append(channel, new EventDraft(type, "{\"n\":1}", "corr-1")));
            before.add(events.append(channel, new EventDraft(type, "{\"text\":\"Grüße 🎉\"}", null)));
            before.add(events.append(channel, new EventDraft(type, "{\"n\":3}", null)));
            new JpaAckStore(db.entityManagerFactory(), Clock.systemUTC()).acknowledge("alice", channel, Sequence.of(2));
        }

        // when
        restart(name);
        try (HeraldDatabase db = HeraldDatabase.open(settings(name))) {
            JpaEventStore events = new JpaEventStore(db.entityManagerFactory(), Clock.systemUTC());
            JpaAckStore acks = new JpaAckStore(db.entityManagerFactory(), Clock.systemUTC());

            // then: the history is intact and numbering carries on where it stopped
            assertEquals(before, events.read(channel, Sequence.ZERO, 100));
            assertEquals(Sequence.of(3), events.head(channel));
            assertEquals(Optional.of(Sequence.of(1)), events.earliest(channel));
            assertEquals(Sequence.of(4), events.append(channel, new EventDraft(type, "{\"n\":4}", null)).seq());
            assertEquals(Optional.of(Sequence.of(2)), acks.position("alice", channel));
        }
    }

    /** One line per row of Flyway's history: version (null for its own schema rows), script, checksum, time, success. */
    private static List<String> migrationHistory(HeraldDatabase db) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select \"version\", \"script\", \"checksum\", \"success\", \"installed_on\" "
                     + "from \"flyway_schema_history\" order by \"installed_rank\"")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2) + " checksum=" + rs.getInt(3)
                        + " installed_on=" + rs.getTimestamp(5) + " success=" + rs.getBoolean(4));
            }
            c.rollback();
        }
        return rows;
    }
}
