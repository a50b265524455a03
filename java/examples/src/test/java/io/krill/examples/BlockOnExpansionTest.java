package io.krill.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = Output.TEST_SECONDS, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BlockOnExpansionTest {

    @Test
    void theAsyncBlockRunsOnAWorkerOfTheRuntimeItBuilt() {
        Output out = new Output();
        BlockOnExpansion.run(out);
        List<String> lines = out.lines();
        assertEquals(2, lines.size(), lines.toString());
        assertEquals("In async block", lines.get(0));
        assertTrue(lines.get(1).startsWith("(it ran on krill-worker-"), lines.get(1));
    }
}
