package io.krill.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.krill.Runtime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = Output.TEST_SECONDS, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ChannelProducerConsumerTest {

    private static List<String> expected() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            lines.add("Received: " + i);
        }
        lines.add("Channel closed: the sender is gone, the loop ends");
        return lines;
    }

    @Test
    void receivesZeroToNineInOrderThenTheLoopEnds() {
        Output out = new Output();
        try (Runtime runtime = Runtime.builder().workers(2).build()) {
            ChannelProducerConsumer.run(runtime, out); // returns only because the loop ended
        }
        assertEquals(expected(), out.lines());
    }

    /** A channel of one: each send waits for the receiver, and nothing is lost or reordered. */
    @Test
    void theSameThroughAChannelOfOne() {
        Output out = new Output();
        try (Runtime runtime = Runtime.builder().workers(2).build()) {
            ChannelProducerConsumer.run(runtime, 1, out);
        }
        assertEquals(expected(), out.lines());
    }
}
