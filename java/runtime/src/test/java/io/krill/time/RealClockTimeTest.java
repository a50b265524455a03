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
 * timer fires early. Upper bounds on lateness are for benchmarks, not for tests on a busy machine.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RealClockTimeTest {

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
                assertTrue(span[1] >= TimeUnit.MILLISECONDS.toNanos(span[0]),
                        "a " + span[0] + " ms sleep ended after " + span[1] + " ns");
            }
        }
    }
}
