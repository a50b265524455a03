package io.krill.examples;

import io.krill.Runtime;
import io.krill.Task;
import io.krill.time.Time;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The guide's "Basic Async Function": print, sleep one second, print.
 *
 * <pre>{@code
 * #[tokio::main]
 * async fn main() {
 *     println!("Start");
 *     sleep(Duration::from_secs(1)).await;
 *     println!("After 1 second");
 * }
 * }</pre>
 *
 * {@code #[tokio::main]} becomes a runtime built in {@link #main} and blocked on (see
 * {@link BlockOnExpansion}); the async body is a task spawned on it, and the code after the
 * {@code .await} is a continuation of the sleep.
 */
public final class MinimalSleep {

    private MinimalSleep() {}

    /** The async body, on {@code runtime}; returns when it has printed both lines. */
    public static void run(Runtime runtime, Consumer<String> out) {
        Task<Void> body = runtime.spawn(() -> {
                    out.accept("Start");
                    return Time.sleep(Duration.ofSeconds(1)); // Time needs a worker: hence the spawn
                })
                .then(sleeping -> sleeping) // the spawned body gave a task: wait for it too
                .map(slept -> {
                    out.accept("After 1 second");
                    return null;
                });
        runtime.blockOn(body);
    }

    public static void main(String[] args) {
        try (Runtime runtime = Runtime.builder().build()) {
            run(runtime, System.out::println);
        }
    }
}
