package io.krill.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ServerCpuTest {

    @Test
    void sumsUserAndSystemTimeCountingFieldsAfterTheCommandName() {
        // proc(5): pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime ...
        String stat = "4242 (java) (x) R 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 30 0";
        assertEquals(1234 + 567, ServerCpu.parse(stat));
        assertThrows(IllegalArgumentException.class, () -> ServerCpu.parse("no parenthesis here"));
        assertThrows(IllegalArgumentException.class, () -> ServerCpu.parse("1 (short) R 1 2"));
    }

    @Test
    void thisProcessesTimeGrowsWhileItWorks() {
        long pid = ProcessHandle.current().pid();
        long before = ServerCpu.ticks(pid);
        long spin = System.nanoTime() + 300_000_000L; // 300 ms of CPU: 30 ticks at USER_HZ 100
        long sink = 0;
        while (System.nanoTime() < spin) {
            sink += sink * 31 + 1;
        }
        assertTrue(ServerCpu.ticks(pid) > before, "utime + stime grew (" + sink + ")");
    }
}
