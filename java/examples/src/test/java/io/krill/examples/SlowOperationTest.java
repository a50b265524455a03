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
class SlowOperationTest {

    @Test
    void printsTheResultAfterTheSlowOperationsSecond() {
        Output out = new Output();
        try (Runtime runtime = Runtime.builder().workers(2).pausedClock().build()) {
            long before = runtime.clockNanos();
            SlowOperation.run(runtime, out);
            assertEquals(List.of("result"), out.lines());
            long tookNanos = runtime.clockNanos() - before;
            assertTrue(tookNanos >= Duration.ofSeconds(1).toNanos(), "the clock moved " + tookNanos + " ns");
        }
    }
}
