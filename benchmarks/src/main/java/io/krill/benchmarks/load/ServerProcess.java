package io.krill.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A running server JVM seen from outside, for {@link IdleConnections}: its open descriptors and
 * resident memory from {@code /proc} (Linux only), and its Java heap after a full collection
 * from {@code jcmd} (the one beside the server's own {@code java}, else this JVM's).
 */
final class ServerProcess {

    /** How long one jcmd may take (guess: it attaches and collects a small heap in about a second). */
    private static final long JCMD_TIMEOUT_SECONDS = 120;
    private static final Pattern VM_RSS = Pattern.compile("(?m)^VmRSS:\\s+(\\d+)\\s+kB\\s*$");
    /** G1 "garbage-first heap ... used 1863K [...", Serial/Parallel one line per generation, Z "ZHeap used 2M". */
    private static final Pattern USED_THEN_SIZE = Pattern.compile("\\bused (\\d+)([KMG])\\b");
    /** Shenandoah: " 6028M max, 6028M soft max, 8192K committed, 2048K used". */
    private static final Pattern SIZE_THEN_USED = Pattern.compile("\\b(\\d+)([KMG]) used\\b");

    private final long pid;
    private final Path jcmd;

    ServerProcess(long pid) throws IOException {
        this.pid = pid;
        Path proc = Path.of("/proc", Long.toString(pid));
        if (!Files.isDirectory(proc)) {
            throw new IOException("no process " + pid + " (" + proc + " does not exist)");
        }
        Path besideServer = proc.resolve("exe").toRealPath().resolveSibling("jcmd");
        this.jcmd = Files.isExecutable(besideServer) ? besideServer : Path.of(System.getProperty("java.home"), "bin", "jcmd");
    }

    long pid() {
        return pid;
    }

    int openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) fds.count();
        }
    }

    /**
     * The server's TCP connections in state ESTABLISHED whose local port is {@code port}: its
     * sockets ({@code /proc/PID/fd} links to {@code socket:[inode]}) matched against the kernel's
     * tables ({@code /proc/PID/net/tcp} and {@code tcp6}). Unlike a count of all descriptors,
     * this is not moved by a descriptor the JVM opens or closes meanwhile (a jar, a JIT file, a
     * connection of an earlier phase still closing), so it says exactly how many were accepted.
     */
    int establishedOn(int port) throws IOException {
        java.util.Set<String> inodes = new java.util.HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException closedMeanwhile) {
                    continue;
                }
                if (target.startsWith("socket:[") && target.endsWith("]")) {
                    inodes.add(target.substring("socket:[".length(), target.length() - 1));
                }
            }
        }
        int count = 0;
        for (String table : List.of("tcp", "tcp6")) {
            Path path = Path.of("/proc", Long.toString(pid), "net", table);
            if (Files.exists(path)) {
                count += countEstablished(Files.readAllLines(path, StandardCharsets.US_ASCII), port, inodes);
            }
        }
        return count;
    }

    /** Rows of a {@code /proc/net/tcp} table: established, on local {@code port}, with one of {@code inodes}. */
    static int countEstablished(List<String> lines, int port, java.util.Set<String> inodes) {
        String localPort = String.format(java.util.Locale.ROOT, ":%04X", port);
        int count = 0;
        for (int i = 1; i < lines.size(); i++) { // line 0 is the header
            String[] fields = lines.get(i).trim().split("\\s+");
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
            if (fields.length > 9 && fields[1].endsWith(localPort) && fields[3].equals("01") && inodes.contains(fields[9])) {
                count++;
            }
        }
        return count;
    }

    long residentKib() throws IOException {
        return parseVmRssKib(Files.readString(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.US_ASCII));
    }

    /** Runs a full collection ({@code GC.run}, System.gc()) and returns the heap used after it. */
    long heapUsedKibAfterFullGc() throws IOException, InterruptedException {
        jcmd("GC.run");
        return parseHeapUsedKib(jcmd("GC.heap_info"));
    }

    /**
     * Native memory the JVM tracks as "Other" (where {@code Arena.allocate} and other
     * {@code Unsafe}/FFM allocations land), committed, in KiB; -1 unless the server runs with
     * {@code -XX:NativeMemoryTracking=summary}. Unlike RSS it counts what was allocated, not
     * which pages the allocator happened to reuse or touch.
     */
    long offHeapKib() throws IOException, InterruptedException {
        return parseNmtOtherKib(jcmd("VM.native_memory summary"));
    }

    private static final Pattern NMT_OTHER = Pattern.compile("(?m)^-\\s+Other \\(reserved=\\d+KB, committed=(\\d+)KB\\)");

    /** The committed KiB of NMT's "Other" category, or -1 when the output has none (NMT off). */
    static long parseNmtOtherKib(String summary) {
        Matcher m = NMT_OTHER.matcher(summary);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        List<String> commandLine = new java.util.ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
        commandLine.addAll(List.of(command.split(" ")));
        Process process = new ProcessBuilder(commandLine)
                .redirectErrorStream(true).start();
        String output;
        try (var out = process.getInputStream()) {
            output = new String(out.readAllBytes(), StandardCharsets.UTF_8); // ends when jcmd exits
        }
        if (!process.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(jcmd + " " + pid + " " + command + " did not finish in " + JCMD_TIMEOUT_SECONDS + " s");
        }
        if (process.exitValue() != 0) {
            throw new IOException(jcmd + " " + pid + " " + command + " failed (exit " + process.exitValue() + "): " + output.strip());
        }
        return output;
    }

    /** VmRSS of a /proc/PID/status text, in KiB (the kernel's "kB" are KiB). */
    static long parseVmRssKib(String status) {
        Matcher m = VM_RSS.matcher(status);
        if (!m.find()) {
            throw new IllegalArgumentException("no VmRSS line in /proc status: " + status.strip());
        }
        return Long.parseLong(m.group(1));
    }

    /**
     * The heap used, in KiB, from {@code jcmd PID GC.heap_info}: the sum of "used" over the
     * unindented lines (one per heap or generation; indented lines are their parts, or metaspace
     * in older JDKs), or Shenandoah's "N used". ZGC reports whole MiB.
     */
    static long parseHeapUsedKib(String heapInfo) {
        long kib = 0;
        boolean found = false;
        for (String line : heapInfo.split("\n")) {
            if (line.isEmpty() || Character.isWhitespace(line.charAt(0))) {
                continue;
            }
            Matcher m = USED_THEN_SIZE.matcher(line);
            if (m.find()) {
                kib += toKib(m.group(1), m.group(2));
                found = true;
            }
        }
        if (!found) {
            Matcher m = SIZE_THEN_USED.matcher(heapInfo);
            if (m.find()) {
                return toKib(m.group(1), m.group(2));
            }
            throw new IllegalArgumentException("no heap 'used' figure in GC.heap_info: " + heapInfo.strip());
        }
        return kib;
    }

    private static long toKib(String number, String unit) {
        long value = Long.parseLong(number);
        return switch (unit) {
            case "K" -> value;
            case "M" -> value * 1024;
            case "G" -> value * 1024 * 1024;
            default -> throw new IllegalArgumentException("unit " + unit);
        };
    }
}
