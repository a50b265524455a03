package io.krill.benchmarks.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's CPU time so far, from {@code /proc/PID/stat}: user plus system, all threads, in clock ticks. */
final class ServerCpu {

    private ServerCpu() {}

    static long ticks(long pid) {
        try {
            return parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CPU time of pid " + pid + " (has the server exited?)", e);
        }
    }

    /**
     * utime + stime, fields 14 and 15 of proc(5)'s stat line. The command name (field 2) is in
     * parentheses and may hold spaces or parentheses itself, so fields are counted after the last ')'.
     */
    static long parse(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc stat line: " + stat);
        }
        String[] fields = stat.substring(close + 2).trim().split(" +"); // fields[0] is field 3 (state)
        if (fields.length < 13) {
            throw new IllegalArgumentException("a /proc stat line with " + (fields.length + 2) + " fields: " + stat);
        }
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
