package io.krill.benchmarks.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A closed-loop load generator for the {@code ci/serve} servers, on the JDK only (no Krill class,
 * so it measures the server and not itself): {@code --connections} connections spread over
 * {@code --threads} threads ({@link LoadWorker}), each keeping {@code --pipeline} requests in
 * flight and sending the next as soon as a response completes. Echo responses are checked byte
 * for byte against the random bytes sent; http responses are parsed. After {@code --warmup}
 * seconds it measures for {@code --duration} seconds, then waits for the responses still in
 * flight, and prints requests/s, MB/s, latency percentiles, errors and one {@code RESULT} line.
 * Exit status: 0 if every response was right and no connection failed, 1 otherwise, 2 for a bad
 * command line. Run by {@code ci/load}.
 */
public final class LoadGenerator {

    private LoadGenerator() {
    }

    public static void main(String[] args) throws InterruptedException {
        LoadConfig config;
        try {
            config = LoadConfig.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("LoadGenerator: " + e.getMessage());
            System.err.println(LoadConfig.USAGE);
            System.exit(2);
            return;
        }
        System.out.printf(Locale.ROOT, "load: %s on %s:%d, %d connections on %d thread(s), pipeline %d%s, warmup %s s, measured %s s%n",
                config.modeName(), config.host(), config.port(), config.connections(),
                config.threads(), config.pipeline(),
                config.mode() == LoadConfig.Mode.ECHO ? ", " + config.sizeBytes() + "-byte messages" : "",
                seconds(config.warmupSeconds()), seconds(config.durationSeconds()));
        LoadReport report;
        try {
            report = run(config);
        } catch (IOException e) {
            System.err.println("LoadGenerator: " + e.getMessage());
            System.exit(1);
            return;
        }
        System.out.print(report.text());
        System.out.println(report.resultLine());
        System.exit(report.ok() ? 0 : 1);
    }

    /** Connects, runs the workers to the end of the run, and merges what they measured. */
    static LoadReport run(LoadConfig config) throws IOException, InterruptedException {
        SplittableRandom random = new SplittableRandom();
        RequestPattern pattern = config.mode() == LoadConfig.Mode.ECHO
                ? RequestPattern.random(random, config.sizeBytes() * config.pipeline())
                : RequestPattern.http(config.pipeline());
        List<List<SocketChannel>> shares = connect(config);
        long warmupEndNanos = System.nanoTime() + (long) (config.warmupSeconds() * 1e9);
        long endNanos = warmupEndNanos + (long) (config.durationSeconds() * 1e9);
        List<LoadWorker> workers = new ArrayList<>();
        for (List<SocketChannel> share : shares) {
            workers.add(new LoadWorker(config, pattern, share, random.split(), warmupEndNanos, endNanos));
        }
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < workers.size(); i++) {
            threads.add(Thread.ofPlatform().name("load-" + i).start(workers.get(i)));
        }
        long serverCpuNanos = -1;
        if (config.serverPid() > 0) { // the main thread waits anyway: it samples the server's CPU at the window's ends
            sleepUntil(warmupEndNanos);
            long before = ServerCpu.ticks(config.serverPid());
            sleepUntil(endNanos);
            long after = ServerCpu.ticks(config.serverPid());
            serverCpuNanos = (after - before) * 1_000_000_000L / config.clockTicks();
        }
        for (Thread thread : threads) {
            thread.join(); // the workers' results happen-before what follows
        }
        return LoadReport.merge(config, workers, serverCpuNanos);
    }

    /**
     * Opens every connection before the clock starts (blocking connects: simple, and a failure is
     * reported at once), TCP_NODELAY so a small request is not held back, then non-blocking for
     * the selectors; dealt round-robin to the threads.
     */
    private static List<List<SocketChannel>> connect(LoadConfig config) throws IOException {
        InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
        List<List<SocketChannel>> shares = new ArrayList<>();
        for (int i = 0; i < config.threads(); i++) {
            shares.add(new ArrayList<>());
        }
        List<SocketChannel> opened = new ArrayList<>();
        try {
            for (int i = 0; i < config.connections(); i++) {
                SocketChannel channel = SocketChannel.open();
                opened.add(channel);
                try {
                    channel.connect(address);
                } catch (IOException e) {
                    throw new IOException("connection " + (i + 1) + " of " + config.connections() + " to " + address + " failed: " + e, e);
                }
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.configureBlocking(false);
                shares.get(i % config.threads()).add(channel);
            }
            return shares;
        } catch (IOException | RuntimeException e) {
            for (SocketChannel channel : opened) {
                try {
                    channel.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static void sleepUntil(long deadlineNanos) throws InterruptedException {
        for (long left = deadlineNanos - System.nanoTime(); left > 0; left = deadlineNanos - System.nanoTime()) {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        }
    }

    static String seconds(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
