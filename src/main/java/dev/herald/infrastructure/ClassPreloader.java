package dev.herald.infrastructure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Loads every class of the application's own class directory at start-up, so that code first run
 * during a JVM shutdown still finds its classes.
 *
 * <p>Payara Micro unpacks the WAR into a temporary runtime directory and deletes that directory
 * from a JVM shutdown hook of its own. JVM hooks run concurrently, so Herald's drain hook
 * (closing every connection with 1012) raced the deletion: a class it had not needed before, say
 * the one describing a close in progress, was gone from {@code WEB-INF/classes} by the time it was
 * needed, the hook died on a {@link NoClassDefFoundError}, and every client got 1006 when the
 * listeners stopped. Jars stay readable (they are held open); loose class files do not.
 */
final class ClassPreloader {

    private static final Logger LOG = Logger.getLogger(ClassPreloader.class.getName());

    private ClassPreloader() {
    }

    /**
     * Loads (without initialising) every class in the directory that {@code anchor} was loaded
     * from. A class that cannot be loaded is skipped: it would fail just the same later.
     *
     * @return how many classes were loaded; zero when {@code anchor} does not come from a directory
     */
    static int preload(Class<?> anchor) {
        Path root = classDirectory(anchor);
        if (root == null) {
            return 0;
        }
        List<String> names;
        try (Stream<Path> files = Files.walk(root)) {
            names = files.filter(f -> f.getFileName().toString().endsWith(".class"))
                    .map(f -> binaryName(root, f))
                    .filter(name -> !name.endsWith("package-info") && !name.endsWith("module-info"))
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            LOG.log(Level.WARNING, "could not list " + root + " to preload the application's classes", e);
            return 0;
        }
        ClassLoader loader = anchor.getClassLoader();
        int loaded = 0;
        for (String name : names) {
            try {
                Class.forName(name, false, loader);
                loaded++;
            } catch (ClassNotFoundException | LinkageError e) {
                LOG.log(Level.FINE, "not preloaded: " + name, e);
            }
        }
        return loaded;
    }

    /**
     * The root of the class file tree holding {@code anchor} (its code source is either that
     * directory or, under GlassFish, the class file itself), or null when it comes from a jar or
     * nowhere known.
     */
    static Path classDirectory(Class<?> anchor) {
        CodeSource source = anchor.getProtectionDomain().getCodeSource();
        URL location = source == null ? null : source.getLocation();
        if (location == null || !"file".equals(location.getProtocol())) {
            return null;
        }
        try {
            Path path = Path.of(location.toURI());
            if (Files.isDirectory(path)) {
                return path;
            }
            // GlassFish's web class loader gives each class its own file as its code source.
            Path own = Path.of(anchor.getName().replace('.', '/') + ".class");
            if (Files.isRegularFile(path) && path.endsWith(own)) {
                Path root = path;
                for (int i = 0; i < own.getNameCount(); i++) {
                    root = root.getParent();
                }
                return root;
            }
            return null;
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    static String binaryName(Path root, Path classFile) {
        String relative = root.relativize(classFile).toString();
        return relative.substring(0, relative.length() - ".class".length()).replace(root.getFileSystem().getSeparator(), ".");
    }
}
