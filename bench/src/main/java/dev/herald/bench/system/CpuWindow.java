package dev.herald.bench.system;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * CPU used during one measured phase by the server, by the harness, by the server's helpers
 * (Redis, PostgreSQL) and by every other process on the machine, read from {@code /proc} at the
 * start and at the end. Other processes and steal are what disturbed the measurement; interrupt
 * time (loopback networking's softirqs, charged to no process) is reported apart, and so are the
 * machine's dropped packets and TCP retransmissions, which turn into latency spikes of 200 ms and more.
 */
public final class CpuWindow {

    /** A phase counts as disturbed above this share of one core used by other processes. */
    public static final double OTHER_CORE_SHARE_LIMIT = 0.10;
    /** ... or above this share of one core stolen by the hypervisor. */
    public static final double STEAL_CORE_SHARE_LIMIT = 0.02;

    private final long serverPid;
    private final long harnessPid;
    private final Supplier<List<Long>> helperPids;
    private final long startNanos;
    private final double serverStart;
    private final double harnessStart;
    private final double helpersStart;
    private final ProcFs.CpuCounters machineStart;
    private final ProcFs.NetCounters netStart;

    private CpuWindow(long serverPid, Supplier<List<Long>> helperPids) {
        this.serverPid = serverPid;
        this.harnessPid = ProcessHandle.current().pid();
        this.helperPids = helperPids;
        this.machineStart = ProcFs.machineCpu();
        this.netStart = ProcFs.netCounters();
        this.serverStart = ProcFs.cpuSeconds(serverPid);
        this.harnessStart = ProcFs.cpuSeconds(harnessPid);
        this.helpersStart = ProcFs.cpuSeconds(helperPids.get());
        this.startNanos = System.nanoTime();
    }

    /** Starts measuring; {@code helperPids} is asked again at the end (PostgreSQL's backends come and go). */
    public static CpuWindow start(long serverPid, Supplier<List<Long>> helperPids) {
        return new CpuWindow(serverPid, helperPids);
    }

    /** Ends the phase. */
    public Usage stop() {
        double wall = (System.nanoTime() - startNanos) / 1e9;
        double server = ProcFs.cpuSeconds(serverPid) - serverStart;
        double harness = ProcFs.cpuSeconds(harnessPid) - harnessStart;
        double helpers = ProcFs.cpuSeconds(helperPids.get()) - helpersStart;
        ProcFs.CpuCounters machineEnd = ProcFs.machineCpu();
        double busy = (machineEnd.busyTicks() - machineStart.busyTicks()) / ProcFs.TICKS_PER_SECOND;
        double steal = (machineEnd.stealTicks() - machineStart.stealTicks()) / ProcFs.TICKS_PER_SECOND;
        double interrupts = (machineEnd.interruptTicks() - machineStart.interruptTicks()) / ProcFs.TICKS_PER_SECOND;
        double other = Math.max(0, busy - server - harness - Math.max(0, helpers));
        ProcFs.NetCounters netEnd = ProcFs.netCounters();
        ProcFs.NetCounters net = new ProcFs.NetCounters(netEnd.backlogDrops() - netStart.backlogDrops(),
                netEnd.tcpRetransmits() - netStart.tcpRetransmits(), netEnd.listenDrops() - netStart.listenDrops());
        return new Usage(wall, server, harness, Math.max(0, helpers), other, steal, interrupts, net);
    }

    /** CPU seconds used in a phase of {@code wallSeconds}. */
    public record Usage(double wallSeconds, double serverSeconds, double harnessSeconds, double helperSeconds,
                        double otherSeconds, double stealSeconds, double interruptSeconds, ProcFs.NetCounters network) {

        /** Other processes' CPU as a share of one core. */
        public double otherCoreShare() {
            return wallSeconds <= 0 ? 0 : otherSeconds / wallSeconds;
        }

        public double stealCoreShare() {
            return wallSeconds <= 0 ? 0 : stealSeconds / wallSeconds;
        }

        /** True when other processes or steal took more than the limits: the figures are suspect. */
        public boolean disturbed() {
            return otherCoreShare() > OTHER_CORE_SHARE_LIMIT || stealCoreShare() > STEAL_CORE_SHARE_LIMIT;
        }

        /** The figures for a report. */
        public Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("wall_s", wallSeconds);
            map.put("server_cpu_s", serverSeconds);
            map.put("server_core_share", wallSeconds <= 0 ? 0.0 : serverSeconds / wallSeconds);
            map.put("harness_cpu_s", harnessSeconds);
            map.put("harness_core_share", wallSeconds <= 0 ? 0.0 : harnessSeconds / wallSeconds);
            map.put("helpers_cpu_s", helperSeconds);
            map.put("other_cpu_s", otherSeconds);
            map.put("other_core_share", otherCoreShare());
            map.put("steal_core_share", stealCoreShare());
            map.put("interrupt_core_share", wallSeconds <= 0 ? 0.0 : interruptSeconds / wallSeconds);
            map.put("disturbed", disturbed());
            // Machine-wide: a full loopback backlog drops packets, and TCP resends them after 200 ms or more.
            map.put("net_backlog_drops", network.backlogDrops());
            map.put("tcp_retransmits", network.tcpRetransmits());
            map.put("tcp_listen_drops", network.listenDrops());
            return map;
        }
    }
}
