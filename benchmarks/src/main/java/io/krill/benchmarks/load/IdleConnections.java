package io.krill.benchmarks.load;

import org.apache.commons.math3.stat.regression.SimpleRegression;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * What an idle connection costs a running server: opens connections in steps
 * ({@code --steps 1000,5000,10000,15000}) and keeps them all open and silent; after each step
 * waits until the server holds that many more descriptors than before (so every connection was
 * accepted), runs a full GC in it and samples its heap used (jcmd) and its resident set
 * (/proc/PID/status). Prints a table and the least-squares slope of each over the steps, in
 * bytes per connection, and one {@code RESULT} line. Every {@code --verify-every}-th connection
 * first does one round trip (an 8-byte echo, or one HTTP request), to prove the server really
 * serves them. The 0-connection baseline is printed but not fitted: it lacks whatever the first
 * connections set up once.
 *
 * <p>Before the baseline, {@code --warmup N} connections are opened, each makes
 * {@value #WARMUP_ROUND_TRIPS} round trips, and all are closed again: the server's JIT compiles its accept and serve paths then, not
 * during the steps (measured: without it, compiler arenas and code cache added megabytes between
 * the 1,000 and 8,000 steps, three quarters of the fitted RSS slope of a handler-API server).
 * A server that keeps slots for closed connections reuses those for the first N of the steps;
 * the slope is fitted from the first step on, so choose N no larger than it.
 * Run by {@code ci/idle-memory}; JDK only, Linux only (/proc).
 */
public final class IdleConnections {

    static final String USAGE = """
            usage: IdleConnections --pid SERVER_PID --port P [options]
              --pid N            the server JVM's process id (required)
              --host H           server address (default 127.0.0.1)
              --port P           server port (required)
              --mode M           echo | http: what a verifying round trip sends (default echo; echo-task, echo-vthread and a peer's PEER-echo are echo, PEER-http is http)
              --steps A,B,...    connection counts to sample at, increasing (default 1000,5000,10000,15000)
              --verify-every N   every N-th connection does a round trip first (default 100)
              --warmup N         connections opened, used and closed before the baseline (default 1000)
              --accept-timeout S seconds to wait for the server to accept a step's connections (default 60)""";

    /** Bytes a verifying echo sends (guess: a few, as a real protocol's greeting would be). */
    private static final int VERIFY_ECHO_BYTES = 8;
    /** Read timeout of a verifying round trip and connect timeout of every connection (guess: loopback answers in ms). */
    private static final int ROUND_TRIP_TIMEOUT_MILLIS = 10_000;
    /**
     * Round trips per warm-up connection: 20,000 in all by default, past the invocation counts
     * at which HotSpot's C2 compiles (about 10,000), so the serve path is compiled before the
     * baseline.
     */
    static final int WARMUP_ROUND_TRIPS = 20;
    /** How often the server's descriptors are counted while waiting for accepts. */
    private static final long POLL_MILLIS = 50;

    private final ServerProcess server;
    private final InetSocketAddress address;
    private final boolean http;
    private final int verifyEvery;
    private final long acceptTimeoutMillis;
    private final SplittableRandom random = new SplittableRandom();
    private final List<Socket> sockets = new ArrayList<>();

    private IdleConnections(ServerProcess server, InetSocketAddress address, boolean http, int verifyEvery, long acceptTimeoutMillis) {
        this.server = server;
        this.address = address;
        this.http = http;
        this.verifyEvery = verifyEvery;
        this.acceptTimeoutMillis = acceptTimeoutMillis;
    }

    private record Sample(int connections, int descriptors, long residentKib, long heapUsedKib, long offHeapKib) {}

    public static void main(String[] args) throws InterruptedException {
        Options options;
        List<Integer> steps;
        boolean http;
        try {
            options = Options.parse(args, Set.of("pid", "port"), Map.of("host", "127.0.0.1", "mode", "echo",
                    "steps", "1000,5000,10000,15000", "verify-every", "100", "accept-timeout", "60", "warmup", "1000"));
            steps = options.increasingIntegers("steps", 1, 1_000_000);
            if (steps.size() < 2) {
                throw new IllegalArgumentException("--steps needs at least 2 counts for a slope");
            }
            String mode = options.string("mode").toLowerCase(Locale.ROOT);
            http = switch (mode) { // a peer's mode is its prefix and the protocol: netty-http, nio-echo …
                case "echo", "echo-task", "echo-vthread" -> false;
                case "http" -> true;
                default -> {
                    if (mode.matches("[a-z]+-(echo|http)")) {
                        yield mode.endsWith("-http");
                    }
                    throw new IllegalArgumentException("--mode must be echo or http (or PEER-echo, PEER-http), got '"
                            + options.string("mode") + "'");
                }
            };
        } catch (IllegalArgumentException e) {
            System.err.println("IdleConnections: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        int status;
        try {
            ServerProcess server = new ServerProcess(options.integer("pid", 1, Integer.MAX_VALUE));
            IdleConnections run = new IdleConnections(server,
                    new InetSocketAddress(options.string("host"), options.integer("port", 1, 65_535)), http,
                    options.integer("verify-every", 1, Integer.MAX_VALUE),
                    (long) (options.decimal("accept-timeout", 1, 3_600) * 1_000));
            try {
                run.warmUp(options.integer("warmup", 0, steps.getFirst()));
                status = run.measure(steps);
            } finally {
                run.closeAll();
            }
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("IdleConnections: " + e.getMessage());
            status = 1;
        }
        System.exit(status);
    }

    /** Opens {@code count} connections that each make a round trip, then closes them all. */
    private void warmUp(int count) throws IOException, InterruptedException {
        if (count == 0) {
            return;
        }
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket();
            sockets.add(socket);
            socket.connect(address, ROUND_TRIP_TIMEOUT_MILLIS);
            socket.setSoTimeout(ROUND_TRIP_TIMEOUT_MILLIS);
            for (int trip = 0; trip < WARMUP_ROUND_TRIPS; trip++) {
                if (http) {
                    verifyHttp(socket);
                } else {
                    verifyEcho(socket);
                }
            }
        }
        awaitAccepted(count);
        closeAll();
        System.out.printf(Locale.ROOT, "idle: warmed up with %,d connections (%d round trips each, then closed)%n", count, WARMUP_ROUND_TRIPS);
    }

    private int measure(List<Integer> steps) throws IOException, InterruptedException {
        System.out.printf(Locale.ROOT, "idle: server pid %d on %s:%d; steps %s; 1 in %d connections first does one %s round trip%n",
                server.pid(), address.getHostString(), address.getPort(), steps, verifyEvery, http ? "HTTP" : "echo");
        System.out.printf(Locale.ROOT, "%12s %14s %24s %12s %18s%n", "connections", "RSS KiB", "heap used KiB (full GC)", "server fds",
                "off-heap KiB (NMT)");
        int baselineFds = settledDescriptors();
        Sample baseline = sample(0, baselineFds);
        print(baseline, "  baseline, not fitted");
        double[] x = new double[steps.size()];
        double[] rssBytes = new double[steps.size()];
        double[] heapBytes = new double[steps.size()];
        double[] offHeapBytes = new double[steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            int target = steps.get(i);
            while (sockets.size() < target) {
                open();
            }
            awaitAccepted(target);
            Sample s = sample(target, server.openDescriptors());
            print(s, "");
            x[i] = target;
            rssBytes[i] = s.residentKib() * 1024.0;
            heapBytes[i] = s.heapUsedKib() * 1024.0;
            offHeapBytes[i] = s.offHeapKib() * 1024.0;
        }
        SimpleRegression rss = fit(x, rssBytes);
        SimpleRegression heap = fit(x, heapBytes);
        System.out.printf(Locale.ROOT, "slope (least squares over %d steps): RSS %,.0f bytes/connection (r^2 %.3f), heap %,.0f bytes/connection (r^2 %.3f)%n",
                steps.size(), rss.getSlope(), rss.getRSquare(), heap.getSlope(), heap.getRSquare());
        String offHeapResult = "";
        if (baseline.offHeapKib() >= 0) {
            SimpleRegression offHeap = fit(x, offHeapBytes);
            System.out.printf(Locale.ROOT, "slope of off-heap memory (NMT \"Other\": Arena allocations): %,.0f bytes/connection (r^2 %.3f)%n",
                    offHeap.getSlope(), offHeap.getRSquare());
            offHeapResult = String.format(Locale.ROOT, " offheap_bytes_per_conn=%.0f", offHeap.getSlope());
        }
        System.out.printf(Locale.ROOT, "RESULT idle rss_bytes_per_conn=%.0f heap_bytes_per_conn=%.0f%s connections=%d rss_r2=%.3f heap_r2=%.3f%n",
                rss.getSlope(), heap.getSlope(), offHeapResult, steps.getLast(), rss.getRSquare(), heap.getRSquare());
        return 0;
    }

    /** The least-squares line through the steps (commons-math3, on the class path with JMH). */
    static SimpleRegression fit(double[] x, double[] y) {
        if (x.length != y.length || x.length < 2) {
            throw new IllegalArgumentException("a slope needs at least 2 points of (x, y), got " + x.length + " and " + y.length);
        }
        if (java.util.Arrays.stream(x).allMatch(value -> value == x[0])) {
            throw new IllegalArgumentException("all x values are " + x[0] + ": no slope");
        }
        SimpleRegression line = new SimpleRegression();
        for (int i = 0; i < x.length; i++) {
            line.addData(x[i], y[i]);
        }
        return line;
    }

    private Sample sample(int connections, int descriptors) throws IOException, InterruptedException {
        long heapKib = server.heapUsedKibAfterFullGc();
        return new Sample(connections, descriptors, server.residentKib(), heapKib, server.offHeapKib());
    }

    private static void print(Sample s, String note) {
        System.out.printf(Locale.ROOT, "%,12d %,14d %,24d %,12d %,18d%s%n", s.connections(), s.residentKib(), s.heapUsedKib(), s.descriptors(),
                s.offHeapKib(), note);
    }

    /** Opens one more connection (a blocking connect), and makes it prove itself if its turn. */
    private void open() throws IOException {
        Socket socket = new Socket();
        sockets.add(socket); // closed by closeAll even if the connect fails
        try {
            socket.connect(address, ROUND_TRIP_TIMEOUT_MILLIS);
            if (sockets.size() % verifyEvery == 0) {
                socket.setSoTimeout(ROUND_TRIP_TIMEOUT_MILLIS);
                if (http) {
                    verifyHttp(socket);
                } else {
                    verifyEcho(socket);
                }
            }
        } catch (IOException e) {
            throw new IOException("connection " + sockets.size() + " to " + address + ": " + e.getMessage(), e);
        }
    }

    private void verifyEcho(Socket socket) throws IOException {
        byte[] sent = new byte[VERIFY_ECHO_BYTES];
        random.nextBytes(sent);
        socket.getOutputStream().write(sent);
        byte[] received = socket.getInputStream().readNBytes(sent.length);
        if (!Arrays.equals(sent, received)) {
            throw new IOException("echo round trip returned " + Arrays.toString(received) + " for " + Arrays.toString(sent));
        }
    }

    private static void verifyHttp(Socket socket) throws IOException {
        socket.getOutputStream().write(RequestPattern.HTTP_REQUEST);
        HttpResponseParser parser = new HttpResponseParser();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[256];
        int responses = 0;
        while (responses == 0) {
            int n = in.read(buffer);
            if (n < 0) {
                throw new ProtocolException("server closed the connection before answering");
            }
            responses = parser.feed(ByteBuffer.wrap(buffer), 0, n);
        }
        if (responses != 1 || !parser.betweenResponses()) {
            throw new ProtocolException("one request, but more than one response");
        }
    }

    /** The server's descriptor count once it holds still for a few polls (a probe may be closing). */
    private int settledDescriptors() throws IOException, InterruptedException {
        int previous = -1;
        int current = server.openDescriptors();
        for (int i = 0; i < 20 && current != previous; i++) {
            Thread.sleep(4 * POLL_MILLIS);
            previous = current;
            current = server.openDescriptors();
        }
        return current;
    }

    /**
     * Waits until the server holds {@code expected} established connections on its port
     * (counted exactly, see {@link ServerProcess#establishedOn}: a count of all descriptors
     * against a baseline once came up one short on a busy machine, the baseline having caught
     * a connection of the warm-up still closing).
     */
    private void awaitAccepted(int expected) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + acceptTimeoutMillis * 1_000_000;
        int accepted;
        while ((accepted = server.establishedOn(address.getPort())) < expected) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the server holds " + accepted + " established connections on port " + address.getPort()
                        + " after " + acceptTimeoutMillis / 1000 + " s, expected " + expected + ": it has not accepted every connection");
            }
            Thread.sleep(4 * POLL_MILLIS); // each count reads the kernel's tables: tens of thousands of rows
        }
    }

    private void closeAll() {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                System.err.println("IdleConnections: closing a connection: " + e.getMessage()); // the run is over either way
            }
        }
        sockets.clear();
    }
}
