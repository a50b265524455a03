package io.krill.examples;

import io.krill.Runtime;
import io.krill.Task;
import io.krill.time.Time;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The guide's "Joining Multiple Tasks": two spawned tasks of 1 s and 2 s, joined; both run at
 * once, so the join takes about 2 s, not 3.
 *
 * <pre>{@code
 * let task1 = tokio::spawn(async { sleep(Duration::from_secs(1)).await; "result 1" });
 * let task2 = tokio::spawn(async { sleep(Duration::from_secs(2)).await; "result 2" });
 * let (r1, r2) = tokio::join!(task1, task2);
 * println!("{:?}, {:?}", r1, r2);
 * }</pre>
 *
 * {@code tokio::join!} is {@link Task#all}. Tokio prints each {@code Result} ({@code Ok("result 1")});
 * a Krill task that failed would fail the {@code all} instead, so the twin prints the values,
 * and then how long the join took on the runtime's clock.
 */
public final class JoinTasks {

    static final Duration FIRST = Duration.ofSeconds(1);
    static final Duration SECOND = Duration.ofSeconds(2);

    private JoinTasks() {}

    /** A spawned task that sleeps {@code duration}, then gives {@code result}. */
    static Task<String> sleepThen(Duration duration, String result) {
        return Runtime.current().spawn(() -> Time.sleep(duration).map(slept -> result)).then(sleeping -> sleeping);
    }

    /**
     * The async main: both tasks are spawned in one step of it, on a worker, as in the guide.
     * (Spawned one by one from the main thread instead, they would start at different times
     * whenever the runtime went idle in between, and on a paused clock, which jumps as soon as
     * every worker is idle, the second would start a whole second late.)
     */
    static Task<Void> asyncMain(Consumer<String> out) {
        long startNanos = Time.nanoTime();
        Task<String> task1 = sleepThen(FIRST, "result 1");
        Task<String> task2 = sleepThen(SECOND, "result 2");
        return Task.all(List.of(task1, task2)).map(both -> {
            double seconds = (Time.nanoTime() - startNanos) / 1e9;
            out.accept(both.get(0) + ", " + both.get(1));
            out.accept(String.format(Locale.ROOT, "joined after %.1f s", seconds));
            return null;
        });
    }

    public static void run(Runtime runtime, Consumer<String> out) {
        runtime.blockOn(runtime.spawn(() -> asyncMain(out)).then(main -> main));
    }

    public static void main(String[] args) {
        try (Runtime runtime = Runtime.builder().build()) {
            run(runtime, System.out::println);
        }
    }
}
