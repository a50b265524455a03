package io.krill.time;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Runtime;
import io.krill.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The system clock: a parked worker wakes for its timer (the deadline bounds its park), and no
 * timer fires early. The bound on lateness is generous, for a busy CI machine; tight lateness is
 * for benchmarks. It is still far below what a park not bounded by the deadline costs: with
 * nothing else to do an idle worker parks without a timeout, and the test's own limit would
 * be the first to end it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RealClockTimeTest {

    /** How late a sleep may end: two cores shared with other builds can hold a worker off its core for a while. */
    private static final long LATE_BOUND_NANOS = TimeUnit.SECONDS.toNanos(3);

    @Test
    void idleWorkersWakeForTheirTimersAndNeverEarly() {
        try (Runtime runtime = Runtime.builder().workers(2).build()) {
            List<long[]> spans = runtime.blockOn(() -> {
                List<Task<long[]>> sleeps = new ArrayList<>();
                for (int ms : new int[] {15, 5, 25}) {
                    long start = System.nanoTime();
                    sleeps.add(Time.sleep(Duration.ofMillis(ms)).map(v -> new long[] {ms, System.nanoTime() - start}));
                }
                return Task.all(sleeps);
            }).join();
            for (long[] span : spans) {
                long dueNanos = TimeUnit.MILLISECONDS.toNanos(span[0]);
                assertTrue(span[1] >= dueNanos, "a " + span[0] + " ms sleep ended after " + span[1] + " ns");
                assertTrue(span[1] < dueNanos + LATE_BOUND_NANOS, "a " + span[0] + " ms sleep ended after " + span[1] / 1_000_000 + " ms");
            }
        }
    }
}
