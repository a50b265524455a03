package io.krill;

import io.krill.internal.backend.Backends;
import io.krill.internal.jni.NativeLibrary;
import io.krill.internal.jni.Platform;
import io.krill.internal.selfcheck.SelfCheck;
import java.io.IOException;
import java.util.List;

/**
 * Krill's launcher: chooses the native backend (libkrill's JNI shims, else JNA) and reports what
 * this machine runs, then proves the backend with a self-check over real descriptors. Exits 1
 * when either fails.
 */
public final class Krill {

    private Krill() {}

    /** The runtime's version, from the jar manifest ({@code dev} when run from classes). */
    public static String version() {
        String version = Krill.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }

    public static void main(String[] args) {
        Backends.Selected backend;
        try {
            backend = Backends.selected();
        } catch (UnsatisfiedLinkError e) {
            System.err.println("krill: " + e.getMessage());
            System.exit(1);
            return;
        }
        Platform platform = Platform.current();
        System.out.println("Krill " + version());
        System.out.println("  platform   " + platform.classifier() + " ("
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + ", Java "
                + java.lang.Runtime.version() + ")");
        System.out.println("  backend    " + backend.name() + ", poller " + platform.pollerName() + " (" + backend.why() + ")");
        if (backend.name().equals("jni")) {
            NativeLibrary library = NativeLibrary.load();
            System.out.println("  library    " + library.source() + " (" + library.origin() + ", "
                    + library.sizeBytes() + " bytes)");
            System.out.println("  abi        version " + library.abiVersion() + ", " + library.abiFieldCount()
                    + " layout entries match");
        }
        try {
            List<String> passed = SelfCheck.run(platform, backend.io());
            for (String line : passed) {
                System.out.println("  check      " + line);
            }
        } catch (IOException e) {
            System.err.println("krill: self-check failed: " + e.getMessage());
            System.exit(1);
        }
        runtimeCheck();
    }

    /**
     * Runs real work on a runtime and reports what it measured: a burst of spawned tasks and a
     * crowd of concurrent timers. One run on whatever this machine is doing: an indication, not
     * a benchmark (those are under benchmarks/).
     */
    private static void runtimeCheck() {
        int tasks = 100_000;
        int timers = 1_000;
        try (Runtime runtime = Runtime.builder().build()) {
            long start = System.nanoTime();
            int ran = runtime.blockOn(() -> {
                java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
                java.util.List<Task<Integer>> spawned = new java.util.ArrayList<>(tasks);
                for (int i = 0; i < tasks; i++) {
                    spawned.add(Runtime.current().spawn(count::incrementAndGet));
                }
                return Task.all(spawned).map(all -> count.get());
            }).join();
            long spawnNanos = System.nanoTime() - start;
            start = System.nanoTime();
            runtime.blockOn(() -> {
                java.util.List<Task<Void>> sleeps = new java.util.ArrayList<>(timers);
                for (int i = 0; i < timers; i++) {
                    sleeps.add(io.krill.time.Time.sleep(java.time.Duration.ofMillis(10)));
                }
                return Task.all(sleeps);
            }).join();
            long timerNanos = System.nanoTime() - start;
            System.out.printf(java.util.Locale.ROOT, "  runtime    %d workers: %,d tasks spawned and joined in %.1f ms (%,.0f tasks/s)%n",
                    runtime.metrics().workers(), ran, spawnNanos / 1e6, ran / (spawnNanos / 1e9));
            System.out.printf(java.util.Locale.ROOT, "  timers     %,d sleeps of 10 ms, all done after %.1f ms%n", timers, timerNanos / 1e6);
        }
    }
}
