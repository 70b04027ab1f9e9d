package dev.herald.infrastructure.persistence.jpa;

import dev.herald.application.config.HeraldConfig;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Restarting Herald on its default database: an H2 file, closed with the last pooled connection. */
class JpaH2RestartTest extends HeraldDatabaseRestartContract {

    @TempDir
    Path dir;

    @Override
    protected String newDatabase() {
        return "herald-" + UUID.randomUUID();
    }

    @Override
    protected HeraldConfig.Database settings(String database) {
        return new HeraldConfig.Database("jdbc:h2:file:" + dir.resolve(database), "", "", 4, java.time.Duration.ofSeconds(5));
    }

    @Override
    protected void restart(String database) throws Exception {
        // Nothing to restart; make sure H2 let go of the file, so the next open reads it from disk.
        Path file = dir.resolve(database + ".mv.db");
        assertTrue(file.toFile().isFile(), "no database file at " + file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            assertNotNull(lock, "another process holds " + file);
        } catch (OverlappingFileLockException e) {
            fail("H2 still has " + file + " open after HeraldDatabase.close()");
        }
    }
}
