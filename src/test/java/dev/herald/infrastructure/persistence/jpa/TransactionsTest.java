package dev.herald.infrastructure.persistence.jpa;

import jakarta.persistence.PersistenceException;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransactionsTest {

    @Test
    void anUnreachableDatabaseIsUnavailableHoweverDeeplyWrapped() {
        assertTrue(Transactions.isUnavailable(new PersistenceException(new SQLTransientConnectionException("pool timeout"))));
        assertTrue(Transactions.isUnavailable(new RuntimeException(new SQLException("refused", "08001"))));
        assertTrue(Transactions.isUnavailable(new PersistenceException(new SQLException("terminating", "57P01"))));
        assertTrue(Transactions.isUnavailable(new PersistenceException(new RuntimeException(new ConnectException("refused")))));
    }

    @Test
    void aStatementTheDatabaseRefusedIsNotUnavailability() {
        assertFalse(Transactions.isUnavailable(new PersistenceException(new SQLException("duplicate key", "23505"))));
        assertFalse(Transactions.isUnavailable(new IllegalStateException("bug")));
        assertFalse(Transactions.isUnavailable(new PersistenceException(new SQLException("no state"))));
    }
}
