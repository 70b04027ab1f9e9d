package dev.herald.bench.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitCheckoutTest {

    @TempDir
    Path repository;

    @Test
    void namesTheCommitAndThenItsUncommittedSourceChanges() throws Exception {
        Files.createDirectories(repository.resolve("src/main"));
        Files.writeString(repository.resolve("src/main/Herald.java"), "class Herald {}\n");
        Files.writeString(repository.resolve("notes.md"), "notes\n");
        git("init", "-q");
        git("add", ".");
        git("-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-q", "-m", "first");
        String commit = git("rev-parse", "--short=12", "HEAD");

        assertEquals(commit, GitCheckout.describe(repository));
        Files.writeString(repository.resolve("notes.md"), "notes changed\n");
        assertEquals(commit, GitCheckout.describe(repository), "changes outside Herald's sources do not count");
        Files.writeString(repository.resolve("src/main/Herald.java"), "class Herald { int changed; }\n");
        assertEquals(commit + " + uncommitted changes to src/main or pom.xml", GitCheckout.describe(repository));
    }

    @Test
    void outsideAGitCheckoutItSaysUnknownAndWhy() {
        String described = GitCheckout.describe(repository);

        assertTrue(described.startsWith("unknown (git rev-parse failed: "), described);
    }

    private String git(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "-C", repository.toString()));
        command.addAll(List.of(args));
        Process git = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(git.waitFor(10, TimeUnit.SECONDS), "git finished");
        String out = new String(git.getInputStream().readAllBytes()).trim();
        assertEquals(0, git.exitValue(), out);
        return out;
    }
}
