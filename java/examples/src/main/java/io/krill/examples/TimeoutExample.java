package io.krill.examples;

import io.krill.Runtime;
import io.krill.Task;
import io.krill.time.Time;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The guide's "Timeouts": an operation that takes 10 s, under a timeout of 5 s.
 *
 * <pre>{@code
 * let result = timeout(Duration::from_secs(5), slow_operation()).await;
 * match result {
 *     Ok(Ok(data)) => println!("Success: {}", data),
 *     Ok(Err(e)) => println!("Operation error: {}", e),
 *     Err(_) => println!("Timeout!"),
 * }
 *
 * async fn slow_operation() -> Result<String, String> {
 *     tokio::time::sleep(Duration::from_secs(10)).await;
 *     Ok("Done".to_string())
 * }
 * }</pre>
 *
 * A Krill task's failure is its {@code Err}: the two nested {@code Result}s become one failure,
 * told apart by type ({@link TimeoutException} from {@link Time#timeout}, anything else from the
 * operation), in {@code handle}. When the timeout fires, the operation is cancelled (its sleep's
 * timer removed), as dropping the future does in Tokio.
 */
public final class TimeoutExample {

    static final Duration LIMIT = Duration.ofSeconds(5);
    static final Duration OPERATION_TIME = Duration.ofSeconds(10);

    private TimeoutExample() {}

    static Task<String> slowOperation(Duration takes) {
        return Time.sleep(takes).map(slept -> "Done");
    }

    /** The guide's match, on the one outcome. */
    static String describe(String data, Throwable failure) {
        if (failure == null) {
            return "Success: " + data;
        }
        if (failure instanceof TimeoutException) {
            return "Timeout!";
        }
        return "Operation error: " + failure.getMessage();
    }

    public static void run(Runtime runtime, Consumer<String> out) {
        run(runtime, LIMIT, OPERATION_TIME, out);
    }

    /** As the guide, with another limit and operation time (a test's success case). */
    static void run(Runtime runtime, Duration limit, Duration operationTakes, Consumer<String> out) {
        String outcome = runtime.blockOn(runtime.spawn(() -> Time.timeout(limit, slowOperation(operationTakes)))
                .then(timed -> timed.handle(TimeoutExample::describe)));
        out.accept(outcome);
    }

    public static void main(String[] args) {
        try (Runtime runtime = Runtime.builder().build()) {
            run(runtime, System.out::println);
        }
    }
}
