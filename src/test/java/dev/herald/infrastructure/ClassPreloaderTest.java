package dev.herald.infrastructure;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Preloading the application's classes so the shutdown drain never meets a deleted class file. */
class ClassPreloaderTest {

    @Test
    void loadsEveryClassFileOfTheAnchorsDirectoryIncludingNestedOnes() throws Exception {
        Path root = ClassPreloader.classDirectory(Lifecycle.class);
        assertNotNull(root, "the main classes come from target/classes");
        long files;
        try (var walk = Files.walk(root)) {
            files = walk.filter(f -> f.toString().endsWith(".class") && !f.toString().endsWith("package-info.class")).count();
        }
        int loaded = ClassPreloader.preload(Lifecycle.class);
        assertEquals(files, loaded);
        assertTrue(loaded > 100, "Herald has hundreds of classes, found " + loaded);
    }

    @Test
    void aClassFromAJarHasNoDirectoryToPreload() {
        assertNull(ClassPreloader.classDirectory(org.junit.jupiter.api.Test.class));
        assertEquals(0, ClassPreloader.preload(org.junit.jupiter.api.Test.class));
    }

    @Test
    void binaryNamesKeepNestedClassMarkers() {
        Path root = Path.of("/x/classes");
        assertEquals("dev.herald.application.session.ClientSession$Closing",
                ClassPreloader.binaryName(root, root.resolve("dev/herald/application/session/ClientSession$Closing.class")));
    }
}
