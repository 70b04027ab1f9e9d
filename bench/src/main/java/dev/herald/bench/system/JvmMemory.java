package dev.herald.bench.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server JVM's memory as the harness reports it: RSS from {@code /proc}, and the heap in use
 * after a full collection, asked with {@code jcmd <pid> GC.run} then {@code GC.heap_info}.
 */
public final class JvmMemory {

    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private JvmMemory() {
    }

    /** RSS and live heap of {@code pid}; the heap is -1 when jcmd could not attach. */
    public static Snapshot measure(long pid) {
        long heap = -1;
        try {
            jcmd(pid, "GC.run");
            heap = heapUsedBytes(jcmd(pid, "GC.heap_info"));
        } catch (IOException | RuntimeException e) {
            heap = -1;
        }
        return new Snapshot(ProcFs.residentBytes(pid), heap);
    }

    /** Sum of the {@code used NK} figures of the heap's generations (Metaspace excluded) in {@code GC.heap_info} output. */
    public static long heapUsedBytes(String heapInfo) {
        long used = 0;
        boolean found = false;
        for (String line : heapInfo.split("\n")) {
            if (line.contains("Metaspace") || line.contains("class space")) {
                continue;
            }
            Matcher m = USED.matcher(line);
            if (m.find()) {
                used += Long.parseLong(m.group(1)) * 1024;
                found = true;
            }
        }
        return found ? used : -1;
    }

    private static String jcmd(long pid, String command) throws IOException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("jcmd " + command + " did not answer within 60 s");
            }
            return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted", e);
        }
    }

    /** Resident and live-heap bytes at one moment. */
    public record Snapshot(long residentBytes, long heapUsedBytes) {
    }
}
