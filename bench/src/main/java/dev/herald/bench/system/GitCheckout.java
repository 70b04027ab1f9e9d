package dev.herald.bench.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Which Herald a run measured: the commit of the repository the WAR is built from, and whether
 * Herald's sources had uncommitted changes, so a result file names the code behind its figures.
 */
public final class GitCheckout {

    private GitCheckout() {
    }

    /**
     * {@code <short commit>}, with {@code " + uncommitted changes to src/main or pom.xml"} when
     * there are some, or {@code "unknown (...)"} when the repository is not a git checkout or git
     * cannot be run.
     */
    public static String describe(Path repository) {
        try {
            String commit = git(repository, "rev-parse", "--short=12", "HEAD");
            String changes = git(repository, "status", "--porcelain", "--", "src/main", "pom.xml");
            return changes.isEmpty() ? commit : commit + " + uncommitted changes to src/main or pom.xml";
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown (interrupted)";
        }
    }

    private static String git(Path repository, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "-C", repository.toString()));
        command.addAll(List.of(args));
        Process git = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!git.waitFor(10, TimeUnit.SECONDS)) {
            git.destroyForcibly();
            throw new IOException("git " + args[0] + " took more than 10 s");
        }
        String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (git.exitValue() != 0) {
            throw new IOException("git " + args[0] + " failed: " + out.lines().findFirst().orElse("exit " + git.exitValue()));
        }
        return out;
    }
}
