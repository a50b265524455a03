package io.krill.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.krill.Runtime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

@Timeout(value = Output.TEST_SECONDS, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MutexCounterTest {

    /** Four workers on two cores: the ten tasks contend for the lock, and no increment is lost. */
    @RepeatedTest(3)
    void tenTasksOfAHundredIncrementsCountToAThousand() {
        Output out = new Output();
        try (Runtime runtime = Runtime.builder().workers(4).build()) {
            MutexCounter.run(runtime, out);
        }
        assertEquals(List.of("Counter: 1000"), out.lines());
    }
}
