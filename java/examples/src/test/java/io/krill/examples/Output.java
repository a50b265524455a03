package io.krill.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** What an example printed: a sink that workers and the main thread may call at once. */
final class Output implements Consumer<String> {

    /**
     * How long an example's test may run in all (each class's {@code @Timeout}): a hung example,
     * a loop that never ends, fails its test instead of holding the build until its last resort.
     */
    static final long TEST_SECONDS = 120;
    /** How long a test waits for a line that must come (generous: a loaded 2-core machine). */
    static final long WAIT_SECONDS = 30;

    private final List<String> lines = new ArrayList<>(); // guarded by this

    @Override
    public synchronized void accept(String line) {
        lines.add(line);
        notifyAll();
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** Waits until some line matches {@code wanted}; fails after {@link #WAIT_SECONDS}. */
    synchronized String await(Predicate<String> wanted, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        for (;;) {
            for (String line : lines) {
                if (wanted.test(line)) {
                    return line;
                }
            }
            long leftNanos = deadline - System.nanoTime();
            assertTrue(leftNanos > 0, "no line " + what + " within " + WAIT_SECONDS + " s; printed: " + lines);
            TimeUnit.NANOSECONDS.timedWait(this, leftNanos);
        }
    }
}
