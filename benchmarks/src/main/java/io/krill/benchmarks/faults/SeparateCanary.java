package io.krill.benchmarks.faults;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The canary in a JVM of its own ({@code FaultLoad --canary-only}), so that what it measures is
 * the server and not the fault load's threads, allocation and collections in the same process.
 * It is started before the warm-up (and warms up too), told {@code go} when the measured run
 * starts, and hands back its figures on stdout when the run is over.
 */
final class SeparateCanary {

    /** What the canary process measured. */
    record Result(long[] latencies, long failures, long wrongBytes, long gcCount, long gcLongestMillis, long[][] worst) {}

    private final List<String> command = new ArrayList<>();
    private Process process;
    private CompletableFuture<Result> result;

    SeparateCanary(int port, String mode, long seconds, int nice, String cpus) {
        if (cpus != null) {
            command.addAll(List.of("taskset", "-c", cpus));
        }
        if (nice != 0) {
            command.addAll(List.of("nice", "-n", Integer.toString(nice)));
        }
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of("-XX:+UseSerialGC", "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                FaultLoad.class.getName(), "--canary-only", "--port", Integer.toString(port), "--mode", mode,
                "--seconds", Long.toString(seconds)));
    }

    void start() throws IOException {
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        result = CompletableFuture.supplyAsync(this::read, r -> Thread.ofPlatform().daemon().name("canary-reader").start(r));
    }

    /** The measured run starts now. */
    void go() throws IOException {
        OutputStream in = process.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.US_ASCII));
        in.flush();
    }

    /** Waits (at most {@code timeoutSeconds}) for the canary's figures. */
    Result result(long timeoutSeconds) throws IOException {
        try {
            return result.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the canary process", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("the canary process gave no result: " + e, e);
        }
    }

    void destroy() {
        if (process != null) {
            process.destroy();
        }
    }

    private Result read() {
        long failures = -1;
        long wrong = 0;
        long gcCount = 0;
        long gcLongest = 0;
        List<long[]> worst = new ArrayList<>();
        long[] latencies = new long[1024];
        int count = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
            for (String line; (line = out.readLine()) != null; ) {
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "FAILURES" -> failures = Long.parseLong(f[1]);
                    case "WRONG" -> wrong = Long.parseLong(f[1]);
                    case "GC" -> {
                        gcCount = Long.parseLong(f[1]);
                        gcLongest = Long.parseLong(f[2]);
                    }
                    case "W" -> worst.add(new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
                    case "L" -> {
                        if (count == latencies.length) {
                            latencies = java.util.Arrays.copyOf(latencies, count * 2);
                        }
                        latencies[count++] = Long.parseLong(f[1]);
                    }
                    case "END" -> {
                        if (failures < 0) {
                            throw new IllegalStateException("the canary process ended its report without a FAILURES line");
                        }
                        return new Result(java.util.Arrays.copyOf(latencies, count), failures, wrong, gcCount, gcLongest,
                                worst.toArray(new long[0][]));
                    }
                    default -> System.err.println("canary: " + line);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new IllegalStateException("the canary process exited before its report");
    }
}
