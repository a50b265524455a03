package io.krill.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Runtime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The two loops interleave by time: every line is due at a known instant of the runtime's clock
 * (main's i-th at 200 i ms, the background's j-th at 100 j ms), and lines due at different
 * instants come in that order. Lines due together (0, 200, 400 ms) may come either way.
 */
class SpawnBackgroundTest {

    private static long dueMillis(String line) {
        int i = Integer.parseInt(line.substring(line.indexOf(": ") + 2));
        if (line.startsWith("Main task: ")) {
            return i * SpawnBackground.MAIN_PERIOD.toMillis();
        }
        assertTrue(line.startsWith("Background task: "), line);
        return i * SpawnBackground.BACKGROUND_PERIOD.toMillis();
    }

    private static List<String> runOn(Runtime runtime) {
        Output out = new Output();
        long before = runtime.clockNanos();
        SpawnBackground.run(runtime, out);
        long tookNanos = runtime.clockNanos() - before;
        List<String> lines = out.lines();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            expected.add("Main task: " + i);
        }
        for (int j = 0; j < 5; j++) {
            expected.add("Background task: " + j);
        }
        assertEquals(expected.stream().sorted().toList(), lines.stream().sorted().toList(), "every line once: " + lines);
        for (int a = 0; a < lines.size(); a++) {
            for (int b = a + 1; b < lines.size(); b++) {
                assertTrue(dueMillis(lines.get(a)) <= dueMillis(lines.get(b)),
                        lines.get(a) + " came before " + lines.get(b) + ", which was due sooner: " + lines);
            }
        }
        // Main: 3 sleeps of 200 ms, then the guide's 1000 ms.
        assertTrue(tookNanos >= Duration.ofMillis(1600).toNanos(), "the clock moved " + tookNanos + " ns");
        return lines;
    }

    @Test
    void theLinesInterleaveAsTheGuideShows() {
        try (Runtime runtime = Runtime.builder().workers(1).pausedClock().build()) {
            List<String> lines = runOn(runtime);
            // One worker: main prints in the step that spawned the background task, before it runs.
            assertEquals(List.of("Main task: 0", "Background task: 0", "Background task: 1"), lines.subList(0, 3), lines.toString());
        }
    }

    @Test
    void theyInterleaveByTimeOnSeveralWorkersAndTheRealClock() {
        try (Runtime runtime = Runtime.builder().workers(2).build()) {
            runOn(runtime);
        }
    }
}
