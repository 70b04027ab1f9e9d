package dev.herald.it.browser;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.PlaywrightException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real headless Chromium for the browser tests: the one installed on the machine (Debian's
 * {@code chromium} package), driven by Playwright for Java, with a fresh profile per instance.
 * Playwright never downloads a browser here; the machine's network may be closed. Test classes get
 * one shared instance as a parameter through {@link Shared}.
 */
public final class Browser implements AutoCloseable, ExtensionContext.Store.CloseableResource {

    /** Where the browser comes from; {@code -Dherald.chromium=/path} overrides it. */
    public static final Path CHROMIUM = Paths.get(System.getProperty("herald.chromium", "/usr/bin/chromium"));

    /** Screenshots and page logs of the browser tests. */
    public static final Path OUTPUT = Paths.get(System.getProperty("herald.browser.output", "target/browser"));

    // Without these, Chromium on a machine without network stalls on refused background connections.
    private static final List<String> ARGS = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage");

    private final Playwright playwright;
    private final BrowserContext context;
    private final Path profile;

    private Browser(Playwright playwright, BrowserContext context, Path profile) {
        this.playwright = playwright;
        this.context = context;
        this.profile = profile;
    }

    /** Starts Chromium, or fails saying how to install it. */
    public static Browser launch() {
        if (!Files.isExecutable(CHROMIUM)) {
            throw new AssertionError("The browser tests need Chromium at " + CHROMIUM
                    + ". Install it with `apt-get install -y chromium` (Debian; .ci/run does this), "
                    + "or point -Dherald.chromium at a Chromium or Chrome binary.");
        }
        Path profile;
        try {
            profile = Files.createTempDirectory("herald-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Playwright playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        try {
            BrowserContext context = playwright.chromium().launchPersistentContext(profile,
                    new BrowserType.LaunchPersistentContextOptions()
                            .setExecutablePath(CHROMIUM)
                            .setHeadless(true)
                            .setArgs(ARGS)
                            .setTimeout(60_000));
            context.setDefaultTimeout(30_000);
            return new Browser(playwright, context, profile);
        } catch (PlaywrightException e) {
            playwright.close();
            deleteQuietly(profile);
            throw e;
        }
    }

    /**
     * Resolves {@code Browser} parameters with one Chromium for the whole test run, started on first
     * use and closed when JUnit finishes.
     */
    public static final class Shared implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == Browser.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return context.getRoot().getStore(ExtensionContext.Namespace.create(Browser.class))
                    .getOrComputeIfAbsent(Browser.class, k -> launch(), Browser.class);
        }
    }

    public BrowserContext context() {
        return context;
    }

    public Page newPage() {
        Page page = context.newPage();
        // The page's console goes to the test log: the first place to look when a browser test fails.
        page.onConsoleMessage(m -> System.out.println("[browser " + m.type() + "] " + m.text()));
        page.onPageError(e -> System.out.println("[browser error] " + e));
        return page;
    }

    /**
     * Waits until a JavaScript expression is truthy in the page, failing after the deadline with
     * what {@code describe} evaluates to then (the page's view of things).
     */
    public static void await(Page page, String condition, Duration deadline, String describe) {
        try {
            page.waitForFunction(condition, null,
                    new Page.WaitForFunctionOptions().setTimeout(deadline.toMillis()).setPollingInterval(50));
        } catch (PlaywrightException e) {
            Object state;
            try {
                state = page.evaluate(describe);
            } catch (PlaywrightException unreadable) {
                state = "(page state unreadable: " + unreadable.getMessage() + ")";
            }
            throw new AssertionError("not true within " + deadline.toSeconds() + " s: " + condition + "\npage state: " + state, e);
        }
    }

    /** Saves a screenshot of the page as {@code target/browser/<name>.png}. */
    public static Path screenshot(Page page, String name) {
        Path file = OUTPUT.resolve(name + ".png");
        try {
            Files.createDirectories(OUTPUT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        page.screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(true));
        return file;
    }

    @Override
    public void close() {
        try {
            context.close();
        } finally {
            playwright.close();
            deleteQuietly(profile);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary profile left behind is harmless
        }
    }
}
