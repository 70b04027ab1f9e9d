package dev.herald.it;

import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Test deployments: the WAR the build produced, unchanged, plus test settings and whatever
 * application classes a test needs (an authorizer, a command observer). Named ROOT.war so Payara
 * Micro serves it at the root context, like production.
 */
public final class Deployments {

    private Deployments() {
    }

    public static WebArchive herald(Map<String, String> settings, Class<?>... applicationClasses) {
        File war = new File(System.getProperty("herald.war", "target/herald.war"));
        if (!war.isFile()) {
            throw new IllegalStateException(war + " is missing: run the integration tests through `mvn verify`");
        }
        Map<String, String> all = new TreeMap<>(Map.of(
                "herald.jwt.secret", Jwts.SECRET,
                "herald.db.url", "jdbc:h2:mem:herald;DB_CLOSE_DELAY=-1"));
        all.putAll(settings);
        String properties = all.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n", "", "\n"));
        WebArchive archive = ShrinkWrap.create(WebArchive.class, "ROOT.war")
                .merge(ShrinkWrap.createFromZipFile(WebArchive.class, war))
                .addAsResource(new StringAsset(properties), "META-INF/microprofile-config.properties");
        for (Class<?> c : applicationClasses) {
            archive.addClass(c);
        }
        return archive;
    }

    /** Where the browser tests' pages live; they are served from Herald's origin, under /test/. */
    public static final Path TEST_PAGES = Paths.get("src/test/webapp");

    /**
     * Adds the browser test pages to a test deployment, so that they load {@code /herald.js} from
     * the same origin as Herald. They never go into the production WAR.
     */
    public static WebArchive withTestPages(WebArchive archive) {
        List<Path> files;
        try (var walk = Files.walk(TEST_PAGES)) {
            files = walk.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path file : files) {
            archive.addAsWebResource(file.toFile(), TEST_PAGES.relativize(file).toString().replace(File.separatorChar, '/'));
        }
        return archive;
    }
}
