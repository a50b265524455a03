package io.krill.examples;

import io.krill.Coroutine;
import io.krill.Runtime;
import io.krill.Step;
import io.krill.Task;
import io.krill.time.Time;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The guide's "Spawning Tasks": a background task prints every 100 ms while the main task
 * prints every 200 ms, so their lines interleave.
 *
 * <pre>{@code
 * tokio::spawn(async {
 *     for i in 0..5 {
 *         println!("Background task: {}", i);
 *         tokio::time::sleep(Duration::from_millis(100)).await;
 *     }
 * });
 * for i in 0..3 {
 *     println!("Main task: {}", i);
 *     tokio::time::sleep(Duration::from_millis(200)).await;
 * }
 * tokio::time::sleep(Duration::from_millis(1000)).await;
 * }</pre>
 *
 * Both loops await inside their bodies, so each is a {@link Coroutine}: its loop counter is a
 * field, and each {@code resume} runs until the next sleep is pending. (A {@code then}
 * recursion would do for five iterations, but keeps a link per iteration.)
 *
 * <p>The output, as the guide shows it: {@code Main task: 0}, {@code Background task: 0},
 * {@code Background task: 1}, {@code Main task: 1} … Lines due at the same instant (0, 200 and
 * 400 ms) may come in either order when the two tasks run on different workers.
 */
public final class SpawnBackground {

    static final Duration BACKGROUND_PERIOD = Duration.ofMillis(100);
    static final Duration MAIN_PERIOD = Duration.ofMillis(200);
    static final Duration FINAL_WAIT = Duration.ofMillis(1000);

    private SpawnBackground() {}

    /** Prints {@code label: i} for i in [0, count), sleeping {@code period} after each. */
    static final class Printer implements Coroutine<Void> {
        private final String label;
        private final int count;
        private final Duration period;
        private final Consumer<String> out;
        private int i;
        private Task<Void> sleeping;

        Printer(String label, int count, Duration period, Consumer<String> out) {
            this.label = label;
            this.count = count;
            this.period = period;
            this.out = out;
        }

        @Override
        public void resume(Step<Void> step) {
            for (;;) {
                if (sleeping != null) {
                    if (!step.await(sleeping)) {
                        return; // resumed when the sleep is over
                    }
                    sleeping = null;
                    i++;
                }
                if (i == count) {
                    step.complete(null);
                    return;
                }
                out.accept(label + ": " + i);
                sleeping = Time.sleep(period);
            }
        }
    }

    /**
     * The async main: spawns the background printer, then prints its own lines (the guide's
     * main loop, in this task's own steps), then waits a second as the guide does.
     */
    static final class AsyncMain implements Coroutine<Void> {
        private static final int MAIN_LINES = 3;
        private final Consumer<String> out;
        private boolean spawned;
        private int i;
        private Task<Void> sleeping;

        AsyncMain(Consumer<String> out) {
            this.out = out;
        }

        @Override
        public void resume(Step<Void> step) {
            if (!spawned) {
                spawned = true;
                Runtime.current().spawn(new Printer("Background task", 5, BACKGROUND_PERIOD, out));
            }
            for (;;) {
                if (sleeping != null) {
                    if (!step.await(sleeping)) {
                        return;
                    }
                    sleeping = null;
                    i++;
                }
                if (i < MAIN_LINES) {
                    out.accept("Main task: " + i);
                    sleeping = Time.sleep(MAIN_PERIOD);
                } else if (i == MAIN_LINES) {
                    sleeping = Time.sleep(FINAL_WAIT); // "wait for background task"
                } else {
                    step.complete(null);
                    return;
                }
            }
        }
    }

    public static void run(Runtime runtime, Consumer<String> out) {
        runtime.blockOn(new AsyncMain(out));
    }

    public static void main(String[] args) {
        try (Runtime runtime = Runtime.builder().build()) {
            run(runtime, System.out::println);
        }
    }
}
