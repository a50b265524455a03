package io.krill.examples;

import io.krill.Runtime;
import io.krill.Task;
import io.krill.time.Time;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The guide's "Futures and Await": an async function that sleeps, then returns a string.
 *
 * <pre>{@code
 * async fn slow_operation() -> String {
 *     sleep(Duration::from_secs(1)).await;
 *     "result".to_string()
 * }
 *
 * #[tokio::main]
 * async fn main() {
 *     let result = slow_operation().await;
 *     println!("{}", result);
 * }
 * }</pre>
 *
 * An {@code async fn} is a method returning a {@link Task}; its {@code .await} followed by more
 * code is a {@code map} (or a {@code then} when the rest waits again).
 */
public final class SlowOperation {

    private SlowOperation() {}

    /** The async function: on a worker, since it starts a timer. */
    static Task<String> slowOperation() {
        return Time.sleep(Duration.ofSeconds(1)).map(slept -> "result");
    }

    /** The async main, on {@code runtime}: prints the result. */
    public static void run(Runtime runtime, Consumer<String> out) {
        runtime.blockOn(runtime.spawn(SlowOperation::slowOperation)
                .then(operation -> operation)
                .map(result -> {
                    out.accept(result);
                    return null;
                }));
    }

    public static void main(String[] args) {
        try (Runtime runtime = Runtime.builder().build()) {
            run(runtime, System.out::println);
        }
    }
}
