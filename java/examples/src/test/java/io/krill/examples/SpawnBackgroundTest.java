package io.krill.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Runtime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The two loops interleave by time: every line is due at a known instant of the runtime's clock
 * (main's i-th at 200 i ms, the background's j-th at 100 j ms), and lines due at different
 * instants come in that order. Lines due together (0, 200, 400 ms) may come either way.
 */
@Timeout(value = Output.TEST_SECONDS, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SpawnBackgroundTest {

    private static long dueMillis(String line) {
        int i = Integer.parseInt(line.substring(line.indexOf(": ") + 2));
        if (line.startsWith("Main task: ")) {
            return i * SpawnBackground.MAIN_PERIOD.toMillis();
        }
        assertTrue(line.startsWith("Background task: "), line);
        return i * SpawnBackground.BACKGROUND_PERIOD.toMillis();
    }

    /** Runs the example: every line once, each task's in its own order, in at least 1.6 s of the runtime's clock. */
    private static List<String> runOn(Runtime runtime) {
        Output out = new Output();
        long before = runtime.clockNanos();
        SpawnBackground.run(runtime, out);
        long tookNanos = runtime.clockNanos() - before;
        List<String> lines = out.lines();
        List<String> main = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            main.add("Main task: " + i);
        }
        List<String> background = new ArrayList<>();
        for (int j = 0; j < 5; j++) {
            background.add("Background task: " + j);
        }
        assertEquals(main, lines.stream().filter(line -> line.startsWith("Main")).toList(), lines.toString());
        assertEquals(background, lines.stream().filter(line -> line.startsWith("Background")).toList(), lines.toString());
        assertEquals(8, lines.size(), lines.toString());
        // Main: 3 sleeps of 200 ms, then the guide's 1000 ms.
        assertTrue(tookNanos >= Duration.ofMillis(1600).toNanos(), "the clock moved " + tookNanos + " ns");
        return lines;
    }

    /** Lines due at different instants came in that order. */
    private static void inTimeOrder(List<String> lines) {
        for (int a = 0; a < lines.size(); a++) {
            for (int b = a + 1; b < lines.size(); b++) {
                assertTrue(dueMillis(lines.get(a)) <= dueMillis(lines.get(b)),
                        lines.get(a) + " came before " + lines.get(b) + ", which was due sooner: " + lines);
            }
        }
    }

    @Test
    void theLinesInterleaveAsTheGuideShows() {
        try (Runtime runtime = Runtime.builder().workers(1).pausedClock().build()) {
            List<String> lines = runOn(runtime);
            inTimeOrder(lines);
            // One worker: main prints in the step that spawned the background task, before it
            // runs. Then the guide's "Main task: 1" is due with "Background task: 2" (200 ms):
            // either may come first.
            assertEquals(List.of("Main task: 0", "Background task: 0", "Background task: 1"), lines.subList(0, 3),
                    lines.toString());
        }
    }

    /** The paused clock moves only when every worker is idle: the order by time holds on two workers too. */
    @Test
    void theyInterleaveByTimeOnTwoWorkers() {
        try (Runtime runtime = Runtime.builder().workers(2).pausedClock().build()) {
            inTimeOrder(runOn(runtime));
        }
    }

    /**
     * On the real clock each task's sleeps may run late, and lateness adds up, so only an order
     * with 400 ms to spare is required: the two loops overlap, neither runs before the other.
     */
    @Test
    void onTheRealClockTheLoopsOverlap() {
        try (Runtime runtime = Runtime.builder().workers(2).build()) {
            List<String> lines = runOn(runtime);
            assertTrue(lines.indexOf("Main task: 0") < lines.indexOf("Background task: 4"), lines.toString());
            assertTrue(lines.indexOf("Background task: 0") < lines.indexOf("Main task: 2"), lines.toString());
        }
    }
}
