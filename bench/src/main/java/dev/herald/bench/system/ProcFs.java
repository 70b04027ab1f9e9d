package dev.herald.bench.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads what Linux tells about processes and CPUs in {@code /proc}: CPU time of a process
 * ({@code utime + stime}), its resident memory, its children, and the machine's CPU counters.
 */
public final class ProcFs {

    /** Clock ticks per second for {@code /proc} CPU counters (USER_HZ; 100 on every Linux/x86 kernel). */
    public static final double TICKS_PER_SECOND = 100.0;

    private ProcFs() {
    }

    /** CPU time (user + system) a process has used, in seconds; 0 when it is gone. */
    public static double cpuSeconds(long pid) {
        String[] fields = statFields(pid);
        if (fields == null) {
            return 0;
        }
        // fields after "(comm)": state is index 0, utime index 11, stime index 12 (proc(5) fields 14 and 15)
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
    }

    /** CPU seconds of several processes together. */
    public static double cpuSeconds(List<Long> pids) {
        double sum = 0;
        for (long pid : pids) {
            sum += cpuSeconds(pid);
        }
        return sum;
    }

    /** Resident set size in bytes ({@code VmRSS}); 0 when the process is gone. */
    public static long residentBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
        return 0;
    }

    /** The process and every process below it (PostgreSQL forks a backend per connection). */
    public static List<Long> withDescendants(long root) {
        List<Long> all = new ArrayList<>(List.of(root));
        List<long[]> parents = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            entries.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit)).forEach(n -> {
                String[] fields = statFields(Long.parseLong(n));
                if (fields != null) {
                    parents.add(new long[] {Long.parseLong(n), Long.parseLong(fields[1])});
                }
            });
        } catch (IOException e) {
            return all;
        }
        for (int i = 0; i < all.size(); i++) {
            long parent = all.get(i);
            for (long[] pair : parents) {
                if (pair[1] == parent && !all.contains(pair[0])) {
                    all.add(pair[0]);
                }
            }
        }
        return all;
    }

    /** The machine's {@code cpu} line of {@code /proc/stat}: busy and steal ticks over all CPUs. */
    public static CpuCounters machineCpu() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("cpu ")) {
                    return CpuCounters.parse(line);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/stat", e);
        }
        throw new IllegalStateException("/proc/stat has no cpu line");
    }

    /**
     * Ticks of a {@code /proc/stat} cpu line: busy in processes (user, nice, system), in interrupts
     * (irq, softirq: loopback traffic is handled there and charged to no process), idle, and steal.
     */
    public record CpuCounters(long busyTicks, long interruptTicks, long idleTicks, long stealTicks) {

        /** Parses {@code cpu user nice system idle iowait irq softirq steal guest guest_nice}. */
        public static CpuCounters parse(String line) {
            String[] f = line.trim().split("\\s+");
            long user = Long.parseLong(f[1]);
            long nice = Long.parseLong(f[2]);
            long system = Long.parseLong(f[3]);
            long idle = Long.parseLong(f[4]);
            long iowait = f.length > 5 ? Long.parseLong(f[5]) : 0;
            long irq = f.length > 6 ? Long.parseLong(f[6]) : 0;
            long softirq = f.length > 7 ? Long.parseLong(f[7]) : 0;
            long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
            // guest time is already counted in user
            return new CpuCounters(user + nice + system, irq + softirq, idle + iowait, steal);
        }
    }

    /**
     * Machine-wide network trouble counters: packets dropped because a CPU's input backlog was full
     * ({@code /proc/net/softnet_stat}, second column; loopback traffic goes through it), TCP
     * segments retransmitted and connections dropped from full listen queues.
     */
    public record NetCounters(long backlogDrops, long tcpRetransmits, long listenDrops) {
    }

    /** The current {@link NetCounters}; zeros for what cannot be read. */
    public static NetCounters netCounters() {
        long drops = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/softnet_stat"))) {
                String[] columns = line.trim().split("\\s+");
                if (columns.length > 1) {
                    drops += Long.parseLong(columns[1], 16);
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            drops = 0;
        }
        return new NetCounters(drops, namedCounter("/proc/net/snmp", "Tcp:", "RetransSegs"),
                namedCounter("/proc/net/netstat", "TcpExt:", "ListenDrops"));
    }

    /** A counter from a file of header/value line pairs like {@code /proc/net/snmp}; 0 when absent. */
    static long namedCounter(String file, String prefix, String name) {
        try {
            List<String> lines = Files.readAllLines(Path.of(file)).stream().filter(l -> l.startsWith(prefix)).toList();
            for (int i = 0; i + 1 < lines.size(); i += 2) {
                List<String> names = List.of(lines.get(i).trim().split("\\s+"));
                String[] values = lines.get(i + 1).trim().split("\\s+");
                int at = names.indexOf(name);
                if (at > 0 && at < values.length) {
                    return Long.parseLong(values[at]);
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            return 0;
        }
        return 0;
    }

    private static String[] statFields(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        } catch (IOException | RuntimeException gone) {
            return null;
        }
    }
}
