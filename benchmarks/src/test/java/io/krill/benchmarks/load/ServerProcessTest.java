package io.krill.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The parsers against text captured from Linux 6.18 and Temurin 25's jcmd, and against this JVM. */
class ServerProcessTest {

    private static final String STATUS = """
            Name:\tjava
            VmPeak:\t 8945640 kB
            VmHWM:\t   68148 kB
            VmRSS:\t   56428 kB
            RssAnon:\t   31016 kB
            VmSwap:\t       0 kB
            """;

    @Test
    void vmRssIsReadFromItsOwnLine() {
        assertEquals(56_428, ServerProcess.parseVmRssKib(STATUS));
        assertThrows(IllegalArgumentException.class, () -> ServerProcess.parseVmRssKib("Name:\tjava\nVmHWM:\t 1 kB\n"));
    }

    @Test
    void heapUsedOfEachCollector() {
        assertEquals(1_863, ServerProcess.parseHeapUsedKib("""
                19172:
                garbage-first heap   total reserved 6172672K, committed 28672K, used 1863K [0x0000000687400000, 0x0000000800000000)
                 region size 4096K, 0 young (0K), 0 survivors (0K)
                """));
        assertEquals(10 + 1_247, ServerProcess.parseHeapUsedKib("""
                19446:
                DefNew     total 116224K, used 10K [0x0000000687400000, 0x000000068f210000, 0x0000000704d50000)
                 eden space 103360K,   0% used [0x0000000687400000, 0x0000000687400000, 0x000000068d8f0000)
                 from space 12864K,   0% used [0x000000068d8f0000, 0x000000068d8f0000, 0x000000068e580000)
                Tenured    total 258048K, used 1247K [0x0000000704d50000, 0x0000000714950000, 0x0000000800000000)
                 the  space 258048K,   0% used [0x0000000704d50000, 0x0000000704e87cb0, 0x0000000714950000)
                """));
        assertEquals(1_240, ServerProcess.parseHeapUsedKib("""
                PSYoungGen      total 113152K, used 0K [0x0000000782700000, 0x000000078a500000, 0x0000000800000000)
                 eden space 97280K, 0% used [0x0000000782700000,0x0000000782700000,0x0000000788600000)
                ParOldGen       total 258048K, used 1240K [0x0000000687400000, 0x0000000697000000, 0x0000000782700000)
                 object space 258048K, 0% used [0x0000000687400000,0x0000000687536220,0x0000000697000000)
                """));
        assertEquals(2 * 1024, ServerProcess.parseHeapUsedKib("""
                ZHeap            used 2M, capacity 378M, max capacity 6028M
                 Cache           376M (2)
                """));
        assertEquals(2_048, ServerProcess.parseHeapUsedKib("""
                Shenandoah Heap
                 6028M max, 6028M soft max, 8192K committed, 2048K used
                 3014 x 2048 K regions
                """));
        assertThrows(IllegalArgumentException.class, () -> ServerProcess.parseHeapUsedKib("19172:\nCommand executed successfully\n"));
    }

    @Test
    void samplesThisJvm() throws IOException, InterruptedException {
        ServerProcess self = new ServerProcess(ProcessHandle.current().pid());
        assertTrue(self.openDescriptors() > 2);
        assertTrue(self.residentKib() > 10_000, "a JVM is resident in more than 10 MB");
        long heapKib = self.heapUsedKibAfterFullGc(); // jcmd attaching to this very JVM
        assertTrue(heapKib > 0 && heapKib < Runtime.getRuntime().totalMemory() / 1024, "heap used " + heapKib + " KiB");
    }

    @Test
    void offHeapIsNmtsOtherCategoryOrMinusOneWithoutNmt() {
        assertEquals(1_116, ServerProcess.parseNmtOtherKib("""
                Total: reserved=1721046KB, committed=346974KB
                -                     Class (reserved=1048730KB, committed=474KB)
                -                     Other (reserved=1116KB, committed=1116KB)
                                            (malloc=1116KB #36)
                -                    Symbol (reserved=1276KB, committed=1276KB)
                """));
        assertEquals(-1, ServerProcess.parseNmtOtherKib("Native memory tracking is not enabled"));
    }

    @Test
    void establishedRowsOnThePortWithTheProcesssInodesAreCounted() {
        java.util.List<String> table = java.util.List.of(
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
                "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0 100 0 0 10 0",
                "   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 1002 1 0 20 4 30 10 -1",
                "   2: 0100007F:D431 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 1003 1 0 20 4 30 10 -1",
                "   3: 0100007F:1F90 0100007F:D432 06 00000000:00000000 03:00000F9A 00000000     0        0 0 3 0",
                "   4: 0100007F:1F90 0100007F:D433 01 00000000:00000000 00:00000000 00000000     0        0 2002 1 0 20 4 30 10 -1");
        // 8080 = 0x1F90: the listener (0A), a client's own end (local D431), a TIME_WAIT row (06)
        // and another process's socket (inode 2002) are not this server's connections.
        assertEquals(1, ServerProcess.countEstablished(table, 8080, java.util.Set.of("1001", "1002", "1003", "1004")));
        assertEquals(0, ServerProcess.countEstablished(table, 8081, java.util.Set.of("1002")));
    }

    @Test
    void establishedOnCountsThisJvmsAcceptedConnectionsExactly() throws IOException {
        try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            int port = listener.getLocalPort();
            ServerProcess self = new ServerProcess(ProcessHandle.current().pid());
            java.util.List<java.net.Socket> open = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    open.add(new java.net.Socket(listener.getInetAddress(), port));
                    open.add(listener.accept());
                }
                assertEquals(3, self.establishedOn(port), "three accepted ends; the clients' ends have other local ports");
                open.get(1).close(); // an accepted end
                assertEquals(2, self.establishedOn(port));
            } finally {
                for (java.net.Socket socket : open) {
                    socket.close();
                }
            }
        }
    }
}
