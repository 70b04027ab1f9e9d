package dev.herald.infrastructure.persistence.jpa;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;

import dev.herald.domain.StoreUnavailableException;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.function.Function;

/** Runs work in one resource-local transaction: committed on return, rolled back on any exception. */
final class Transactions {

    private final EntityManagerFactory emf;

    Transactions(EntityManagerFactory emf) {
        this.emf = emf;
    }

    <T> T inTransaction(Function<EntityManager, T> work) {
        EntityManager em = emf.createEntityManager();
        EntityTransaction tx = em.getTransaction();
        try {
            tx.begin();
            T result = work.apply(em);
            tx.commit();
            return result;
        } catch (RuntimeException e) {
            rollbackQuietly(tx);
            if (isUnavailable(e)) {
                throw new StoreUnavailableException("the event store database is unavailable", e);
            }
            throw e;
        } finally {
            em.close();
        }
    }

    private static void rollbackQuietly(EntityTransaction tx) {
        try {
            if (tx.isActive()) {
                tx.rollback();
            }
        } catch (RuntimeException e) {
            // The connection is gone; the database discards the open transaction itself.
        }
    }

    /**
     * Whether the failure means the database cannot be reached, as opposed to a statement it
     * refused: no connection within the acquire timeout, a refused or broken connection, or a
     * SQLState of class 08 (connection exception) or 57P (PostgreSQL shutting down).
     */
    static boolean isUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof ConnectException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
