package dev.herald.bench.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcReadingTest {

    private static final ProcFs.NetCounters NO_TROUBLE = new ProcFs.NetCounters(0, 0, 0);

    @Test
    void sumsTheGenerationsOfSerialAndG1HeapInfoButNotMetaspace() {
        String serial = """
                 def new generation   total 78656K, used 1400K [0x00000000c0000000, 0x00000000c5550000, 0x00000000d5550000)
                  eden space 69952K,   2% used [0x00000000c0000000, 0x00000000c015e2a8, 0x00000000c4450000)
                 tenured generation   total 174784K, used 10000K [0x00000000d5550000, 0x00000000e0000000, 0x0000000100000000)
                 Metaspace       used 12345K, committed 12800K, reserved 1114112K
                  class space    used 1200K, committed 1408K, reserved 1048576K
                """;
        assertEquals((1400 + 10000) * 1024L, JvmMemory.heapUsedBytes(serial));
        assertEquals(123456 * 1024L, JvmMemory.heapUsedBytes(" garbage-first heap   total 262144K, used 123456K [0x0000000080000000, 0x0000000100000000)\n"));
        assertEquals(-1, JvmMemory.heapUsedBytes("Could not attach"));
    }

    @Test
    void readsBusyIdleAndStealTicksOfTheCpuLine() {
        ProcFs.CpuCounters counters = ProcFs.CpuCounters.parse("cpu  100 5 20 1000 7 1 2 3 0 0");
        assertEquals(1 + 2, counters.interruptTicks());
        assertEquals(100 + 5 + 20, counters.busyTicks());
        assertEquals(1000 + 7, counters.idleTicks());
        assertEquals(3, counters.stealTicks());
    }

    @Test
    void readsNamedCountersFromHeaderAndValueLines(@TempDir Path dir) throws Exception {
        Path snmp = dir.resolve("snmp");
        Files.writeString(snmp, "Ip: Forwarding DefaultTTL\nIp: 1 64\nTcp: RtoAlgorithm RtoMin RetransSegs\nTcp: 1 200 11210\n");
        assertEquals(11210, ProcFs.namedCounter(snmp.toString(), "Tcp:", "RetransSegs"));
        assertEquals(0, ProcFs.namedCounter(snmp.toString(), "Tcp:", "Missing"));
        assertTrue(ProcFs.netCounters().tcpRetransmits() >= 0);
    }

    @Test
    void readsThisProcessesOwnCpuAndMemory() {
        long pid = ProcessHandle.current().pid();
        assertTrue(ProcFs.residentBytes(pid) > 0);
        assertTrue(ProcFs.cpuSeconds(pid) >= 0);
        assertTrue(ProcFs.withDescendants(pid).contains(pid));
    }

    @Test
    void flagsAPhaseWhereOtherProcessesTookMoreThanTheLimit() {
        CpuWindow.Usage quiet = new CpuWindow.Usage(10, 9, 5, 0, 0.5, 0, 2, NO_TROUBLE);
        CpuWindow.Usage busy = new CpuWindow.Usage(10, 9, 5, 0, 3, 0, 0, NO_TROUBLE);
        CpuWindow.Usage stolen = new CpuWindow.Usage(10, 9, 5, 0, 0, 0.5, 0, NO_TROUBLE);
        assertFalse(quiet.disturbed());
        assertTrue(busy.disturbed());
        assertTrue(stolen.disturbed());
    }
}
