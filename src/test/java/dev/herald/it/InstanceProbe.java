package dev.herald.it;

import jakarta.json.JsonObject;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.herald.testing.Frames.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What an operator can read about one running instance while a load test runs: its connections,
 * a channel's subscribers and its counters through the admin API, and, for a server process on
 * this machine, its memory and TCP connections (printed for the record, never asserted). Waits
 * poll against a deadline.
 */
final class InstanceProbe {

    private final Api api;
    private final String admin;

    InstanceProbe(Api api, String adminToken) {
        this.api = api;
        this.admin = adminToken;
    }

    /** Open client connections on the instance, every transport. */
    int connections() {
        HttpResponse<String> health = api.get(admin, "api/admin/health");
        assertEquals(200, health.statusCode(), health.body());
        return parse(health.body()).getInt("connections");
    }

    /** {@code GET /api/status}: connections by transport and the counters. */
    JsonObject status() {
        HttpResponse<String> status = api.get(admin, "api/status");
        assertEquals(200, status.statusCode(), status.body());
        return parse(status.body());
    }

    int subscribers(String channel) {
        HttpResponse<String> channels = api.get(admin, "api/admin/channels");
        assertEquals(200, channels.statusCode(), channels.body());
        return parse(channels.body()).getJsonArray("items").getValuesAs(JsonObject.class).stream()
                .filter(c -> c.getString("channel").equals(channel)).mapToInt(c -> c.getInt("subscribers")).sum();
    }

    /**
     * Waits until the channel has this many subscribers on the server (only a subscriber can fall
     * behind), or the deadline passes; returns how many it has.
     */
    int awaitSubscribers(String channel, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 4 * WsClient.WAIT.toNanos();
        int now = subscribers(channel);
        while (now != expected && System.nanoTime() < deadline) {
            Thread.sleep(100); // poll interval, bounded by the deadline
            now = subscribers(channel);
        }
        return now;
    }

    void awaitConnections(int expected, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 4 * WsClient.WAIT.toNanos();
        int now = connections();
        while (now != expected && System.nanoTime() < deadline) {
            Thread.sleep(100); // poll interval, bounded by the deadline
            now = connections();
        }
        if (now != expected) {
            String connections = api.get(admin, "api/admin/connections").body();
            throw new AssertionError(what + ": expected " + expected + " connections, found " + now + ": "
                    + connections.substring(0, Math.min(2000, connections.length())));
        }
    }

    /**
     * The server's resident memory from /proc and its heap after a full collection (jcmd, from the
     * same JDK). "unknown" where either is unavailable.
     */
    static String memory(PayaraProcess server) {
        String rss;
        try {
            rss = Files.readAllLines(Path.of("/proc", Long.toString(server.pid()), "status")).stream()
                    .filter(l -> l.startsWith("VmRSS")).findFirst().orElse("unknown").replaceAll("\\s+", " ");
        } catch (IOException e) {
            rss = "unknown";
        }
        return rss + ", heap after GC " + heapAfterGc(server.pid());
    }

    private static String heapAfterGc(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run").redirectErrorStream(true).start();
            gc.getInputStream().readAllBytes();
            gc.waitFor();
            Process info = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
            String out = new String(info.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            info.waitFor();
            Matcher used = Pattern.compile("used (\\d+K)").matcher(out);
            return used.find() ? used.group(1) : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /**
     * The server side of the TCP connections to the server's port, from the kernel's table
     * (/proc/PID/net/tcp and tcp6): how many are established and how many bytes they hold unsent
     * in the kernel. "unknown" where the table cannot be read.
     */
    static String tcp(PayaraProcess server) {
        String port = String.format(":%04X", server.url().getPort());
        int established = 0;
        long unsent = 0;
        try {
            for (String table : List.of("tcp", "tcp6")) {
                Path file = Path.of("/proc", Long.toString(server.pid()), "net", table);
                if (!Files.exists(file)) {
                    continue;
                }
                List<String> rows = Files.readAllLines(file);
                for (String row : rows.subList(1, rows.size())) {
                    // sl local_address rem_address st tx_queue:rx_queue ...
                    String[] f = row.trim().split("\\s+");
                    if (f[1].endsWith(port) && f[3].equals("01")) {
                        established++;
                        unsent += Long.parseLong(f[4].split(":")[0], 16);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
        return established + " established, " + unsent / 1024 + " KiB unsent in the kernel";
    }
}
