package io.krill.benchmarks.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * A server under misbehaving clients, with one well-behaved client watching: {@code ci/faults}.
 * For {@code --seconds}, against a running server ({@code --pid}, {@code --port}, echo or http):
 * <ul>
 *   <li>a <b>canary</b> sends one unit (64 bytes of echo, or one HTTP request) every 10 ms on
 *       one connection and times the answer from the moment it was due (so a stall is counted
 *       in full, not hidden by the send waiting for it);</li>
 *   <li>{@value #DRIP_CONNECTIONS} connections <b>drip</b> one byte at a time;</li>
 *   <li>{@value #SLOW_READERS} <b>slow readers</b> keep {@value #SLOW_OUTSTANDING_BYTES} bytes of
 *       requests unanswered between them while each reads {@value #SLOW_READ_BYTES_PER_SECOND}
 *       bytes/s;</li>
 *   <li>{@value #RESETS_PER_SECOND} connections per second send half a unit and reset
 *       (SO_LINGER 0);</li>
 *   <li>{@value #HALF_CLOSES_PER_SECOND} per second send a unit, half-close and read the answer
 *       to the end;</li>
 *   <li>{@value #CHURN_PER_SECOND} per second connect, make one exchange and close;</li>
 *   <li>two bursts of {@code --idle} (default 15,000) idle connections, at 20 % and 60 % of the
 *       run, held for {@value #IDLE_HOLD_MILLIS} ms.</li>
 * </ul>
 * Before them, {@code --warmup} seconds (default 5) of the same faults at a tenth of their rates
 * and a 1,000-connection burst, not measured: a JIT-compiled server is judged compiled.
 * Every byte that comes back is checked against what the protocol owes at that position. The
 * server's resident set is sampled every 100 ms and its descriptors counted before and after
 * (after: once every client socket is closed, waiting up to 10 s for the server to let go).
 * Prints a readable summary and one JSON line ({@code RESULT {...}}); exits 1 when a byte was
 * wrong, the canary lost an answer, or the server kept descriptors. Every loop ends with the
 * run; every socket has a timeout. JDK only; Linux only (/proc).
 */
public final class FaultLoad {

    static final String USAGE = """
            usage: FaultLoad --pid SERVER_PID --port P --mode echo|http [--seconds S] [--idle N] [--server NAME]
              --seconds S   how long the faults run (default 20)
              --idle N      connections per idle burst (default 15000; the machine allows 20000 descriptors per process)
              --server NAME what the report calls the server (default krill)
              --warmup S    seconds of the faults at a tenth of their rates first, not measured (default 5; 0: a cold server)
              --canary separate|inline  where the canary runs: a JVM of its own (default), so that this
                            process's threads and collections do not delay it, or a thread of this one
              --canary-nice N  the separate canary's nice value (default 0; below 0 needs root)
              --canary-cpus LIST  the CPUs the separate canary runs on (taskset -c; default: this process's)""";

    static final int DRIP_CONNECTIONS = 50;
    static final long DRIP_PERIOD_NANOS = 5_000_000;
    static final int SLOW_READERS = 20;
    static final int SLOW_OUTSTANDING_BYTES = 16 << 20;
    static final int SLOW_READ_BYTES_PER_SECOND = 64 * 1024;
    static final int RESETS_PER_SECOND = 300;
    static final int HALF_CLOSES_PER_SECOND = 100;
    static final int CHURN_PER_SECOND = 500;
    static final long IDLE_HOLD_MILLIS = 2_000;
    static final long CANARY_PERIOD_NANOS = 10_000_000;
    /** The warm-up runs every behaviour at this share of its rate (guess: enough to compile each path). */
    static final double WARMUP_SCALE = 0.1;
    /** Threads per paced behaviour: a closed loop of one thread waits on the server and falls short of its rate. */
    static final int PACED_THREADS = 4;
    /** A canary answer later than this is a lost answer (and the connection is made again). */
    static final int CANARY_TIMEOUT_MILLIS = 2_000;
    static final int SOCKET_TIMEOUT_MILLIS = 5_000;

    static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: faults\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello".getBytes(StandardCharsets.US_ASCII);
    static final int ECHO_UNIT = 64;

    private final long pid;
    private final InetSocketAddress address;
    private final boolean http;
    private final long seconds;
    private final int idleConnections;
    private final String serverName;

    private volatile long endNanos;
    /** The current phase's share of the fault rates and sizes: 1 while measured, {@value #WARMUP_SCALE} in the warm-up. */
    private volatile double scale = 1;
    /** The current phase's idle-burst size and length. */
    private volatile int burstSize;
    private volatile long phaseSeconds;
    private final AtomicLong wrongBytes = new AtomicLong();
    private final ConcurrentHashMap<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final List<String> firstWrong = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile long rssMax;
    /** This process's collections during the measured run (its pauses are the client's, not the server's). */
    private final GcWatch gc = new GcWatch();
    /** Set by the separate canary's stdin reader: the measured run begins. */
    private volatile boolean go;

    FaultLoad(long pid, InetSocketAddress address, boolean http, long seconds, int idleConnections, String serverName) {
        this.pid = pid;
        this.address = address;
        this.http = http;
        this.seconds = seconds;
        this.idleConnections = idleConnections;
        this.serverName = serverName;
    }

    // ---- the protocol, by stream position --------------------------------------------------

    /** One unit a client sends: an HTTP request, or 64 echo bytes. */
    int unitBytes() {
        return http ? REQUEST.length : ECHO_UNIT;
    }

    /** What the server owes per unit. */
    int answerBytes() {
        return http ? RESPONSE.length : ECHO_UNIT;
    }

    /** The byte a client sends at {@code position} of its stream ({@code seed} tells connections apart). */
    byte sent(long seed, long position) {
        return http ? REQUEST[(int) (position % REQUEST.length)] : pattern(seed, position);
    }

    /** The byte the server owes at {@code position} of its answer stream. */
    byte owed(long seed, long position) {
        return http ? RESPONSE[(int) (position % RESPONSE.length)] : pattern(seed, position);
    }

    /** Answer bytes owed once {@code sentBytes} have been sent (whole requests only, for HTTP). */
    long owedFor(long sentBytes) {
        return http ? sentBytes / REQUEST.length * RESPONSE.length : sentBytes;
    }

    private static byte pattern(long seed, long position) {
        long x = (seed * 0x9E3779B97F4A7C15L) ^ (position * 0xBF58476D1CE4E5B9L);
        return (byte) (x ^ (x >>> 29));
    }

    private void fill(byte[] into, long seed, long from) {
        for (int i = 0; i < into.length; i++) {
            into[i] = sent(seed, from + i);
        }
    }

    /** Checks {@code n} received bytes at stream position {@code from}; counts and remembers the wrong ones. */
    private void check(String who, long seed, long from, byte[] bytes, int offset, int n) {
        for (int i = 0; i < n; i++) {
            if (bytes[offset + i] != owed(seed, from + i)) {
                wrongBytes.incrementAndGet();
                if (firstWrong.size() < 5) {
                    firstWrong.add(who + " connection " + seed + ": byte " + (from + i) + " was " + bytes[offset + i]
                            + ", owed " + owed(seed, from + i));
                }
            }
        }
    }

    private void count(String what) {
        count(what, 1);
    }

    private void count(String what, long n) {
        counts.computeIfAbsent(what, k -> new AtomicLong()).addAndGet(n);
    }

    private long countOf(String what) {
        AtomicLong n = counts.get(what);
        return n == null ? 0 : n.get();
    }

    private boolean running() {
        return System.nanoTime() < endNanos;
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
        socket.connect(address, SOCKET_TIMEOUT_MILLIS);
        return socket;
    }

    /** Sleeps until {@code deadline} (System.nanoTime), or less if the run ends first. */
    private void sleepUntil(long deadline) {
        long end = Math.min(deadline, endNanos);
        for (long left = end - System.nanoTime(); left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    // ---- the behaviours --------------------------------------------------------------------

    /** The canary's latencies in nanoseconds, from when each exchange was due. */
    private long[] canary() {
        long[] latencies = new long[(int) (phaseSeconds * 1_000_000_000L / CANARY_PERIOD_NANOS) + 16];
        int count = 0;
        byte[] unit = new byte[unitBytes()];
        byte[] answer = new byte[answerBytes()];
        long seed = 1;
        long position = 0;
        Socket socket = null;
        long due = System.nanoTime();
        try {
            while (running() && count < latencies.length) {
                sleepUntil(due);
                if (!running()) {
                    break;
                }
                try {
                    if (socket == null) {
                        socket = connect();
                        socket.setSoTimeout(CANARY_TIMEOUT_MILLIS);
                        seed++;
                        position = 0;
                    }
                    fill(unit, seed, position);
                    socket.getOutputStream().write(unit);
                    readFully(socket.getInputStream(), answer);
                    check("canary", seed, owedFor(position), answer, 0, answer.length);
                    position += unit.length;
                    latencies[count++] = System.nanoTime() - due;
                    noteWorst(due, latencies[count - 1]);
                } catch (IOException e) {
                    // A lost answer: counted in full (at least the timeout), and the connection made again.
                    count("canary failures");
                    latencies[count++] = System.nanoTime() - due;
                    closeQuietly(socket);
                    socket = null;
                }
                due += CANARY_PERIOD_NANOS;
                long now = System.nanoTime();
                if (due < now - 1_000_000_000L) {
                    due = now; // more than a second behind (after a timeout): start the schedule again
                }
            }
        } finally {
            closeQuietly(socket);
        }
        return Arrays.copyOf(latencies, count);
    }

    /** The canary's slowest exchanges: [due offset from the start, latency] pairs, slowest first. */
    private final long[][] worst = new long[5][2];
    private long startNanos;

    private void noteWorst(long due, long latency) {
        if (latency <= worst[worst.length - 1][1]) {
            return;
        }
        worst[worst.length - 1] = new long[] {due - startNanos, latency};
        Arrays.sort(worst, (a, b) -> Long.compare(b[1], a[1]));
    }

    private static void readFully(InputStream in, byte[] into) throws IOException {
        int filled = 0;
        while (filled < into.length) {
            int n = in.read(into, filled, into.length - filled);
            if (n < 0) {
                throw new IOException("end of stream after " + filled + " of " + into.length + " bytes");
            }
            filled += n;
        }
    }

    /** One non-blocking connection of the drip or slow-reader groups. */
    private final class Peer {
        final long seed;
        final SocketChannel channel;
        long sentBytes;
        long receivedBytes;

        Peer(long seed) throws IOException {
            this.seed = seed;
            this.channel = SocketChannel.open(address);
            channel.socket().setTcpNoDelay(true);
            channel.configureBlocking(false);
        }

        /** Reads up to {@code limit} bytes into {@code buffer} and checks them; false at end of stream. */
        boolean read(String who, ByteBuffer buffer, int limit) throws IOException {
            buffer.clear().limit(Math.min(limit, buffer.capacity()));
            int n = channel.read(buffer);
            if (n < 0) {
                return false;
            }
            if (n > 0) {
                if (receivedBytes + n > owedFor(sentBytes)) {
                    wrongBytes.addAndGet(receivedBytes + n - owedFor(sentBytes)); // more than was asked for
                    firstWrong.add(who + " connection " + seed + ": " + (receivedBytes + n) + " bytes back for "
                            + owedFor(sentBytes) + " owed");
                }
                check(who, seed, receivedBytes, buffer.array(), 0, n);
                receivedBytes += n;
            }
            return true;
        }
    }

    /** Connections that send one byte at a time, reading what comes back; one the server closes is made again. */
    private void drip() {
        Peer[] peers = new Peer[Math.max(1, (int) (DRIP_CONNECTIONS * scale))];
        ByteBuffer one = ByteBuffer.allocate(1);
        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        long seed = 1_000;
        try {
            long due = System.nanoTime();
            while (running()) {
                for (int i = 0; i < peers.length && running(); i++) {
                    try {
                        if (peers[i] == null) {
                            peers[i] = new Peer(seed++);
                        }
                        Peer peer = peers[i];
                        one.clear();
                        one.put(sent(peer.seed, peer.sentBytes)).flip();
                        if (peer.channel.write(one) == 1) {
                            peer.sentBytes++;
                            count("drip bytes");
                        }
                        if (!peer.read("drip", in, in.capacity())) {
                            count("drip closed by server");
                            closeQuietly(peer.channel);
                            peers[i] = null;
                        }
                    } catch (IOException e) {
                        count("drip errors");
                        if (peers[i] != null) {
                            closeQuietly(peers[i].channel);
                            peers[i] = null;
                        }
                    }
                }
                due += DRIP_PERIOD_NANOS;
                sleepUntil(due);
            }
        } finally {
            for (Peer peer : peers) {
                if (peer != null) {
                    closeQuietly(peer.channel);
                }
            }
        }
    }

    /** Connections that send far ahead of what they read, and read slowly. */
    private void slowReaders() {
        List<Peer> peers = new ArrayList<>();
        int readers = Math.max(1, (int) (SLOW_READERS * scale));
        int outstandingEach = (int) (SLOW_OUTSTANDING_BYTES * scale) / readers;
        long tickNanos = 10_000_000;
        int readPerTick = (int) (SLOW_READ_BYTES_PER_SECOND * tickNanos / 1_000_000_000L);
        byte[] chunk = new byte[16 * 1024];
        ByteBuffer in = ByteBuffer.allocate(readPerTick);
        try {
            for (int i = 0; i < readers && running(); i++) {
                peers.add(new Peer(2_000 + i));
            }
            long due = System.nanoTime();
            while (running()) {
                for (Peer peer : peers) {
                    // Send while what is unanswered stays below this reader's share.
                    while (running() && peer.sentBytes - sentFor(peer.receivedBytes) < outstandingEach) {
                        fill(chunk, peer.seed, peer.sentBytes);
                        ByteBuffer out = ByteBuffer.wrap(chunk);
                        int n = peer.channel.write(out);
                        if (n == 0) {
                            break; // the server reads no more for now
                        }
                        peer.sentBytes += n;
                        count("slow sent bytes", n);
                    }
                    long before = peer.receivedBytes;
                    if (!peer.read("slow reader", in, readPerTick)) {
                        count("slow reader closed by server");
                    }
                    count("slow read bytes", peer.receivedBytes - before);
                }
                due += tickNanos;
                sleepUntil(due);
            }
        } catch (IOException e) {
            count("slow reader errors");
        } finally {
            peers.forEach(p -> closeQuietly(p.channel));
        }
    }

    /** Request bytes whose answers make {@code answerBytes} (the inverse of owedFor). */
    private long sentFor(long answerBytes) {
        return http ? answerBytes / RESPONSE.length * REQUEST.length : answerBytes;
    }

    /** Runs {@code op} {@code perSecond} times a second until the run ends. */
    private void paced(double perSecond, String name, IoAction op, long firstSeed) {
        long period = (long) (1_000_000_000L / perSecond);
        long due = System.nanoTime();
        long seed = firstSeed;
        while (running()) {
            try {
                op.run(seed++);
                count(name);
            } catch (IOException e) {
                count(name + " errors");
            }
            due += period;
            long now = System.nanoTime();
            if (due < now - 1_000_000_000L) {
                due = now; // fell behind by a second: do not burst to catch up
            }
            sleepUntil(due);
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run(long seed) throws IOException;
    }

    private void reset(long seed) throws IOException {
        try (Socket socket = connect()) {
            byte[] half = new byte[unitBytes() / 2];
            fill(half, seed, 0);
            socket.getOutputStream().write(half);
            socket.setSoLinger(true, 0); // close sends RST
        }
    }

    private void halfClose(long seed) throws IOException {
        try (Socket socket = connect()) {
            byte[] unit = new byte[unitBytes()];
            fill(unit, seed, 0);
            socket.getOutputStream().write(unit);
            socket.shutdownOutput();
            byte[] answer = socket.getInputStream().readAllBytes();
            if (answer.length != answerBytes()) {
                wrongBytes.addAndGet(Math.abs(answer.length - answerBytes()));
                firstWrong.add("half-close connection " + seed + ": " + answer.length + " bytes before end of stream, "
                        + answerBytes() + " owed");
            }
            check("half-close", seed, 0, answer, 0, Math.min(answer.length, answerBytes()));
        } catch (SocketTimeoutException e) {
            count("half-close timeouts");
            throw e;
        }
    }

    private void churn(long seed) throws IOException {
        try (Socket socket = connect()) {
            byte[] unit = new byte[unitBytes()];
            fill(unit, seed, 0);
            OutputStream out = socket.getOutputStream();
            out.write(unit);
            byte[] answer = new byte[answerBytes()];
            readFully(socket.getInputStream(), answer);
            check("churn", seed, 0, answer, 0, answer.length);
        }
    }

    /** Two bursts of idle connections, at 20 % and 60 % of the run. */
    private void idleBursts(long startNanos) {
        long runNanos = phaseSeconds * 1_000_000_000L;
        int idleConnections = burstSize;
        for (double at : new double[] {0.2, 0.6}) {
            sleepUntil(startNanos + (long) (runNanos * at));
            if (!running()) {
                return;
            }
            List<SocketChannel> idle = new ArrayList<>(idleConnections);
            try {
                for (int i = 0; i < idleConnections && running(); i++) {
                    idle.add(SocketChannel.open(address));
                }
                count("idle connections", idle.size());
                sleepUntil(System.nanoTime() + IDLE_HOLD_MILLIS * 1_000_000);
            } catch (IOException e) {
                count("idle connect errors");
            } finally {
                idle.forEach(FaultLoad::closeQuietly);
            }
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (IOException ignored) {
                // closing a socket the server reset: nothing to do
            }
        }
    }

    // ---- the server's side -----------------------------------------------------------------

    long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    long descriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        } catch (IOException e) {
            return -1;
        }
    }

    // ---- the run ---------------------------------------------------------------------------

    record Report(String server, String mode, long seconds, long[] canaryNanos, long canaryFailures, long rssBefore,
                  long rssMax, long rssAfter, long fdsBefore, long fdsAfter, long wrongBytes, List<String> firstWrong,
                  java.util.Map<String, Long> counts, String slowest, String canaryProcess, ClientGc clientGc) {

        long percentile(double p) {
            if (canaryNanos.length == 0) {
                return 0;
            }
            long[] sorted = canaryNanos.clone();
            Arrays.sort(sorted);
            int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
        }

        boolean ok() {
            return wrongBytes == 0 && canaryFailures == 0 && fdsAfter <= fdsBefore && canaryNanos.length > 0;
        }

        String json() {
            StringBuilder counted = new StringBuilder();
            counts.entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(e -> counted
                    .append(counted.isEmpty() ? "" : ",").append('"').append(e.getKey().replace(' ', '_')).append("\":").append(e.getValue()));
            return String.format(Locale.ROOT,
                    "{\"tool\":\"faults\",\"server\":\"%s\",\"mode\":\"%s\",\"seconds\":%d,\"canary\":{\"exchanges\":%d,"
                            + "\"failures\":%d,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f},\"rss_mb\":{\"before\":%.1f,"
                            + "\"max\":%.1f,\"after\":%.1f},\"fds\":{\"before\":%d,\"after\":%d},\"wrong_bytes\":%d,"
                            + "\"counts\":{%s},\"canary_process\":\"%s\",\"client_gc\":{\"faults_collections\":%d,"
                            + "\"faults_longest_ms\":%d,\"canary_collections\":%d,\"canary_longest_ms\":%d},\"ok\":%b}",
                    server, mode, seconds, canaryNanos.length, canaryFailures, percentile(50) / 1e6, percentile(99) / 1e6,
                    percentile(100) / 1e6, rssBefore / 1048576.0, rssMax / 1048576.0, rssAfter / 1048576.0, fdsBefore,
                    fdsAfter, wrongBytes, counted, canaryProcess, clientGc.faultsCollections(), clientGc.faultsLongestMillis(),
                    clientGc.canaryCollections(), clientGc.canaryLongestMillis(), ok());
        }

        String summary() {
            StringBuilder s = new StringBuilder();
            s.append(String.format(Locale.ROOT, "faults: %s %s, %d s%n", server, mode, seconds));
            s.append(String.format(Locale.ROOT, "  canary      %d exchanges, %d lost; p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    canaryNanos.length, canaryFailures, percentile(50) / 1e6, percentile(99) / 1e6, percentile(100) / 1e6));
            s.append("  slowest     ").append(slowest).append('\n');
            s.append(String.format(Locale.ROOT, "  client GC   fault load %d collections, longest %d ms; canary (%s) %s%n",
                    clientGc.faultsCollections(), clientGc.faultsLongestMillis(), canaryProcess,
                    clientGc.canaryCollections() < 0 ? "in the fault load's JVM"
                            : clientGc.canaryCollections() + " collections, longest " + clientGc.canaryLongestMillis() + " ms"));
            s.append(String.format(Locale.ROOT, "  server RSS  %.1f MB before, %.1f MB at most, %.1f MB after%n",
                    rssBefore / 1048576.0, rssMax / 1048576.0, rssAfter / 1048576.0));
            s.append(String.format(Locale.ROOT, "  server fds  %d before, %d after%n", fdsBefore, fdsAfter));
            s.append(String.format(Locale.ROOT, "  wrong bytes %d%n", wrongBytes));
            firstWrong.forEach(w -> s.append("    ").append(w).append('\n'));
            counts.entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                    .forEach(e -> s.append(String.format(Locale.ROOT, "  %-28s %d%n", e.getKey(), e.getValue())));
            return s.toString();
        }
    }

    /**
     * The faults themselves, at {@value #WARMUP_SCALE} of their rates and sizes, for
     * {@code warmupSeconds} before the measured run, for every server alike: a JIT-compiled
     * server is judged with its reset, half-close, back-pressure and partial-request paths
     * compiled, not while it compiles them on the core it serves from (measured: that is what
     * the worst canary exchanges of a cold server are). Its canary and counts are not kept; a
     * wrong byte still counts. The RSS "before" is read before it (the server fresh), the
     * descriptors after it.
     */
    private void warmUp(long warmupSeconds, boolean withCanary) throws InterruptedException {
        for (Thread thread : startPhase(warmupSeconds, WARMUP_SCALE, Math.min(idleConnections, 1_000), null, withCanary)) {
            thread.join(warmupSeconds * 1000 + 60_000);
        }
        counts.clear();
        for (int i = 0; i < worst.length; i++) {
            worst[i] = new long[2];
        }
    }

    /** Starts every behaviour for a phase; the canary's latencies land in {@code canaryOut[0]} when it is given. */
    private List<Thread> startPhase(long phaseSeconds, double scale, int burstSize, long[][] canaryOut, boolean withCanary) {
        this.scale = scale;
        this.burstSize = burstSize;
        this.phaseSeconds = phaseSeconds;
        long start = System.nanoTime();
        startNanos = start;
        endNanos = start + phaseSeconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        // The canary measures the server, not this process's own load: it runs at the highest
        // priority (a lower nice value when the JVM may set one: -XX:ThreadPriorityPolicy=1 as root).
        if (withCanary) {
            threads.add(Thread.ofPlatform().name("canary").priority(Thread.MAX_PRIORITY).start(() -> {
                long[] latencies = canary();
                if (canaryOut != null) {
                    canaryOut[0] = latencies;
                }
            }));
        }
        threads.add(Thread.ofPlatform().name("drip").start(this::drip));
        threads.add(Thread.ofPlatform().name("slow-readers").start(this::slowReaders));
        for (int t = 0; t < PACED_THREADS; t++) {
            long seeds = (t + 1L) << 32 | (long) (scale * 1_000) << 20;
            threads.add(Thread.ofPlatform().name("resets-" + t).start(
                    () -> paced(RESETS_PER_SECOND * scale / PACED_THREADS, "resets", this::reset, seeds)));
            threads.add(Thread.ofPlatform().name("half-closes-" + t).start(
                    () -> paced(HALF_CLOSES_PER_SECOND * scale / PACED_THREADS, "half-closes", this::halfClose, seeds + (1L << 40))));
            threads.add(Thread.ofPlatform().name("churn-" + t).start(
                    () -> paced(CHURN_PER_SECOND * scale / PACED_THREADS, "churn", this::churn, seeds + (2L << 40))));
        }
        threads.add(Thread.ofPlatform().name("idle-bursts").start(() -> idleBursts(start)));
        return threads;
    }

    Report run(long warmupSeconds, SeparateCanary separate) throws InterruptedException, IOException {
        long rssBefore = rssBytes();
        rssMax = rssBefore;
        long fdsBefore = descriptors(); // before the separate canary connects: it closes its socket before this run ends
        if (separate != null) {
            separate.start(); // it warms up against the server too, until go
        }
        if (warmupSeconds > 0) {
            warmUp(warmupSeconds, separate == null);
            // The warm-up's sockets are closed: wait (10 s at most) until the server let go of them.
            for (long until = System.nanoTime() + 10_000_000_000L; descriptors() > fdsBefore && System.nanoTime() < until; ) {
                Thread.sleep(50);
            }
        }
        long[][] canary = new long[1][];
        gc.reset();
        if (separate != null) {
            separate.go();
        }
        List<Thread> threads = startPhase(seconds, 1, idleConnections, canary, separate == null);
        Thread sampler = Thread.ofPlatform().daemon().name("rss-sampler").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                rssMax = Math.max(rssMax, rssBytes());
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        for (Thread thread : threads) {
            thread.join(seconds * 1000 + 60_000); // every loop ends with the run; a socket timeout at most after
        }
        long faultsGcCount = gc.collections();
        long faultsGcLongest = gc.longestMillis();
        SeparateCanary.Result child = separate != null ? separate.result(seconds + 60) : null;
        // Every client socket is closed: the server should let go of all of them.
        long fdsAfter = descriptors();
        for (long waitUntil = System.nanoTime() + 10_000_000_000L; fdsAfter > fdsBefore && System.nanoTime() < waitUntil; ) {
            Thread.sleep(100);
            fdsAfter = descriptors();
        }
        Thread.sleep(1_000); // let a collector run once things are quiet, as a server at rest would
        long rssAfter = rssBytes();
        sampler.interrupt();
        rssMax = Math.max(rssMax, rssAfter);
        java.util.Map<String, Long> counted = new java.util.TreeMap<>();
        counts.forEach((k, v) -> counted.put(k, v.get()));
        long[][] slowestExchanges = child != null ? child.worst() : worst;
        StringBuilder slowest = new StringBuilder();
        for (long[] w : slowestExchanges) {
            if (w[1] > 0) {
                slowest.append(String.format(Locale.ROOT, "%s%.1f ms at %.2f s", slowest.isEmpty() ? "" : ", ", w[1] / 1e6, w[0] / 1e9));
            }
        }
        long[] latencies = child != null ? child.latencies() : canary[0] == null ? new long[0] : canary[0];
        long failures = child != null ? child.failures() : countOf("canary failures");
        if (child != null) {
            counted.put("canary failures", failures);
            wrongBytes.addAndGet(child.wrongBytes());
        }
        ClientGc clientGc = new ClientGc(faultsGcCount, faultsGcLongest, child != null ? child.gcCount() : -1,
                child != null ? child.gcLongestMillis() : -1);
        return new Report(serverName, http ? "http" : "echo", seconds, latencies, failures, rssBefore, rssMax, rssAfter,
                fdsBefore, fdsAfter, wrongBytes.get(), List.copyOf(firstWrong), counted, slowest.toString(),
                child != null ? "separate" : "inline", clientGc);
    }

    /** The client's own collections in the measured run: the fault load's, and the separate canary's (-1: inline). */
    record ClientGc(long faultsCollections, long faultsLongestMillis, long canaryCollections, long canaryLongestMillis) {}

    /**
     * The separate canary's side (run with {@code --canary-only}): canary exchanges against the
     * server, discarded, until a {@code go} line on stdin; then the measured run's canary, whose
     * latencies, worst exchanges, failures and own collections it prints for the parent
     * ({@link SeparateCanary}).
     */
    void canaryOnly() throws IOException {
        Thread.ofPlatform().daemon().name("go-reader").start(() -> {
            try {
                java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.US_ASCII));
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.equals("go")) {
                        go = true;
                        endNanos = System.nanoTime(); // cut the warm-up exchange loop short
                        return;
                    }
                }
            } catch (IOException ignored) {
                // the parent went away: the warm-up loop's deadline ends this process
            }
            System.exit(3);
        });
        long warmUntil = System.nanoTime() + 30 * 60 * 1_000_000_000L; // bounded: a parent never says go
        while (!go && System.nanoTime() < warmUntil) {
            phaseSeconds = 1;
            startNanos = System.nanoTime();
            endNanos = go ? startNanos : startNanos + 1_000_000_000L;
            canary();
        }
        counts.clear();
        gc.reset();
        for (int i = 0; i < worst.length; i++) {
            worst[i] = new long[2];
        }
        phaseSeconds = seconds;
        startNanos = System.nanoTime();
        endNanos = startNanos + seconds * 1_000_000_000L;
        long[] latencies = canary();
        StringBuilder out = new StringBuilder();
        out.append("FAILURES ").append(countOf("canary failures")).append('\n');
        out.append("WRONG ").append(wrongBytes.get()).append('\n');
        out.append("GC ").append(gc.collections()).append(' ').append(gc.longestMillis()).append('\n');
        for (long[] w : worst) {
            out.append("W ").append(w[0]).append(' ').append(w[1]).append('\n');
        }
        for (long latency : latencies) {
            out.append("L ").append(latency).append('\n');
        }
        out.append("END\n");
        System.out.print(out);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        long pid = -1;
        int port = -1;
        String mode = null;
        long seconds = 20;
        int idle = 15_000;
        String server = "krill";
        long warmup = 5;
        String canaryWhere = "separate";
        int canaryNice = 0;
        String canaryCpus = null;
        boolean canaryOnly = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--pid" -> pid = Long.parseLong(value);
                    case "--port" -> port = Integer.parseInt(value);
                    case "--mode" -> mode = value;
                    case "--seconds" -> seconds = Long.parseLong(value);
                    case "--idle" -> idle = Integer.parseInt(value);
                    case "--server" -> server = value;
                    case "--warmup" -> warmup = Long.parseLong(value);
                    case "--canary" -> canaryWhere = value;
                    case "--canary-nice" -> canaryNice = Integer.parseInt(value);
                    case "--canary-cpus" -> canaryCpus = value;
                    case "--canary-only" -> {
                        canaryOnly = true;
                        i--; // takes no value
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
                i++;
            }
            if (!canaryWhere.equals("separate") && !canaryWhere.equals("inline")) {
                throw new IllegalArgumentException("--canary must be separate or inline, got " + canaryWhere);
            }
            if ((pid < 0 && !canaryOnly) || port < 0 || port > 65_535 || mode == null) {
                throw new IllegalArgumentException("--pid, --port and --mode are required");
            }
            mode = mode.replaceFirst("^(netty|tokio)-", "").replace("echo-task", "echo");
            if (!mode.equals("echo") && !mode.equals("http")) {
                throw new IllegalArgumentException("--mode must be echo or http, got " + mode);
            }
            if (seconds < 1 || idle < 0 || warmup < 0) {
                throw new IllegalArgumentException("--seconds must be at least 1, --idle and --warmup not negative");
            }
        } catch (RuntimeException e) {
            System.err.println("FaultLoad: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        FaultLoad load = new FaultLoad(pid, new InetSocketAddress("127.0.0.1", port), mode.equals("http"), seconds, idle, server);
        if (canaryOnly) {
            load.canaryOnly();
            System.exit(0);
            return;
        }
        SeparateCanary separate = canaryWhere.equals("separate") ? new SeparateCanary(port, mode, seconds, canaryNice, canaryCpus) : null;
        Report report;
        try {
            report = load.run(warmup, separate);
        } finally {
            if (separate != null) {
                separate.destroy();
            }
        }
        System.out.print(report.summary());
        System.out.println("RESULT " + report.json());
        System.exit(report.ok() ? 0 : 1);
    }
}
