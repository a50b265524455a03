package io.krill.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Runtime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** On the paused clock: the guide's five seconds pass at once, and the ten are never waited for. */
@Timeout(value = Output.TEST_SECONDS, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TimeoutExampleTest {

    @Test
    void theTenSecondOperationTimesOutAfterFiveOfTheRuntimesSeconds() {
        Output out = new Output();
        long realStartNanos = System.nanoTime();
        try (Runtime runtime = Runtime.builder().workers(2).pausedClock().build()) {
            long before = runtime.clockNanos();
            TimeoutExample.run(runtime, out);
            long tookNanos = runtime.clockNanos() - before;
            assertEquals(List.of("Timeout!"), out.lines());
            assertTrue(tookNanos >= Duration.ofSeconds(5).toNanos(), "the clock moved " + tookNanos + " ns");
            assertTrue(tookNanos < Duration.ofSeconds(10).toNanos(), "the operation was not cancelled: " + tookNanos + " ns");
        }
        long realNanos = System.nanoTime() - realStartNanos;
        assertTrue(realNanos < Duration.ofSeconds(4).toNanos(), "a paused clock waits no real 5 s: " + realNanos + " ns");
    }

    @Test
    void anOperationWithinTheLimitSucceeds() {
        Output out = new Output();
        try (Runtime runtime = Runtime.builder().workers(2).pausedClock().build()) {
            TimeoutExample.run(runtime, Duration.ofSeconds(15), TimeoutExample.OPERATION_TIME, out);
        }
        assertEquals(List.of("Success: Done"), out.lines());
    }

    @Test
    void theMatchTellsTheThreeOutcomesApart() {
        assertEquals("Success: Done", TimeoutExample.describe("Done", null));
        assertEquals("Timeout!", TimeoutExample.describe(null, new TimeoutException("5 s")));
        assertEquals("Operation error: refused", TimeoutExample.describe(null, new IllegalStateException("refused")));
    }
}
