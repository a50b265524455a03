package io.krill.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Runtime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = Output.TEST_SECONDS, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MinimalSleepTest {

    @Test
    void printsStartThenAfterOneSecondOfTheRuntimesClock() {
        Output out = new Output();
        try (Runtime runtime = Runtime.builder().workers(2).pausedClock().build()) {
            long before = runtime.clockNanos();
            MinimalSleep.run(runtime, out);
            long sleptNanos = runtime.clockNanos() - before;
            assertEquals(List.of("Start", "After 1 second"), out.lines());
            assertTrue(sleptNanos >= Duration.ofSeconds(1).toNanos(), "the clock moved " + sleptNanos + " ns");
            assertTrue(sleptNanos < Duration.ofSeconds(2).toNanos(), "one sleep of 1 s, but the clock moved " + sleptNanos + " ns");
        }
    }

    @Test
    void onTheRealClockTheSecondLineComesNoSoonerThanOneSecond() {
        Output out = new Output();
        try (Runtime runtime = Runtime.builder().workers(2).build()) {
            long startNanos = System.nanoTime();
            MinimalSleep.run(runtime, out);
            long tookNanos = System.nanoTime() - startNanos;
            assertEquals(List.of("Start", "After 1 second"), out.lines());
            assertTrue(tookNanos >= Duration.ofSeconds(1).toNanos(), "took " + tookNanos + " ns");
            assertTrue(tookNanos < Duration.ofSeconds(20).toNanos(), "took " + tookNanos + " ns");
        }
    }
}
