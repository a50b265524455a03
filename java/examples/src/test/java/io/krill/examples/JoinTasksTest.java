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
class JoinTasksTest {

    @Test
    void bothResultsAfterTwoSecondsNotThree() {
        Output out = new Output();
        try (Runtime runtime = Runtime.builder().workers(2).pausedClock().build()) {
            long before = runtime.clockNanos();
            JoinTasks.run(runtime, out);
            long tookNanos = runtime.clockNanos() - before;
            assertEquals(List.of("result 1, result 2", "joined after 2.0 s"), out.lines());
            assertTrue(tookNanos >= Duration.ofSeconds(2).toNanos(), "the clock moved " + tookNanos + " ns");
            assertTrue(tookNanos < Duration.ofMillis(2500).toNanos(), "the sleeps did not overlap: " + tookNanos + " ns");
        }
    }
}
