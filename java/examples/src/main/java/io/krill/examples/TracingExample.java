package io.krill.examples;

import io.krill.Runtime;
import io.krill.Span;
import io.krill.Task;
import java.text.MessageFormat;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The guide's "Logs and Tracing": log lines at two levels, inside a span named {@code process}.
 *
 * <pre>{@code
 * tracing_subscriber::fmt::init();
 * let span = span!(Level::INFO, "process");
 * let _enter = span.enter();
 * info!("Starting operation");
 * match operation().await {
 *     Ok(result) => info!("Success: {}", result),
 *     Err(e) => error!("Failed: {}", e),
 * }
 *
 * async fn operation() -> Result<String, String> { Ok("Done".to_string()) }
 * }</pre>
 *
 * {@code tracing}'s macros are SLF4J's logger; its span is a Krill {@link Span}, which the task
 * spawned in its scope carries, and with it whatever that task makes while it runs (here the
 * continuation that logs the outcome, which may run on another worker). While a task carrying
 * the span runs, SLF4J's MDC holds the span's name under {@code span}, so any SLF4J backend's
 * pattern can print it ({@code %X{span}} in Logback's).
 *
 * <p>{@code tracing_subscriber::fmt::init()} is {@link Subscriber}: this module binds SLF4J to
 * java.util.logging (slf4j-jdk14), and the subscriber is a java.util.logging handler that prints
 * what tracing's fmt does, {@code LEVEL span: target: message}, reading the span from the MDC on
 * the thread that logs. {@link #run} installs it for the run and removes it after.
 */
public final class TracingExample {

    private static final Logger log = LoggerFactory.getLogger(TracingExample.class);

    private TracingExample() {}

    /** The guide's {@code operation()}: succeeds with Done; the twin can also make it fail. */
    static Task<String> operation(boolean succeeds) {
        // An await point, as an async fn's: the rest runs as a continuation, in the span too.
        return Task.yieldNow().then(yielded -> succeeds
                ? Task.completed("Done")
                : Task.failed(new IllegalStateException("the operation was refused")));
    }

    /**
     * Prints each log record as tracing's fmt subscriber does: {@code LEVEL span: target:
     * message} (with a timestamp first if asked), the span's name taken from the MDC of the
     * thread that logs.
     */
    static final class Subscriber extends Handler {
        private final Consumer<String> out;
        private final boolean timestamps;

        Subscriber(Consumer<String> out, boolean timestamps) {
            this.out = out;
            this.timestamps = timestamps;
        }

        @Override
        public void publish(LogRecord record) {
            if (!isLoggable(record)) {
                return;
            }
            StringBuilder line = new StringBuilder();
            if (timestamps) {
                line.append(Instant.ofEpochMilli(record.getMillis())).append(' ');
            }
            line.append(levelName(record.getLevel())).append(' ');
            String span = MDC.get(Span.MDC_NAME_KEY);
            if (span != null) {
                line.append(span);
                Map<String, String> fields = Span.current().map(Span::fields).orElse(Map.of());
                if (!fields.isEmpty()) {
                    line.append(fields.toString().replace('[', '{').replace(']', '}'));
                }
                line.append(": ");
            }
            line.append(record.getLoggerName()).append(": ").append(message(record));
            out.accept(line.toString());
        }

        private static String message(LogRecord record) {
            Object[] parameters = record.getParameters();
            return parameters == null || parameters.length == 0
                    ? record.getMessage() : MessageFormat.format(record.getMessage(), parameters);
        }

        /** SLF4J's names for the levels slf4j-jdk14 maps them to. */
        static String levelName(Level level) {
            int value = level.intValue();
            if (value >= Level.SEVERE.intValue()) {
                return "ERROR";
            }
            if (value >= Level.WARNING.intValue()) {
                return "WARN";
            }
            if (value >= Level.INFO.intValue()) {
                return "INFO";
            }
            return value >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    /** The guide's main, its subscriber writing to {@code out}. */
    public static void run(Runtime runtime, Consumer<String> out) {
        run(runtime, true, new Subscriber(out, false));
    }

    static void run(Runtime runtime, boolean operationSucceeds, Subscriber subscriber) {
        java.util.logging.Logger target = java.util.logging.Logger.getLogger(TracingExample.class.getName());
        boolean parents = target.getUseParentHandlers();
        target.addHandler(subscriber); // tracing_subscriber::fmt::init()
        target.setUseParentHandlers(false); // the subscriber prints each line, not the console handler too
        try {
            Span span = Span.of("process");
            Task<Void> main = span.inScope(() -> runtime.spawn(() -> { // span.enter(), for the task
                log.info("Starting operation");
                return operation(operationSucceeds).<Void>handle((result, failure) -> {
                    if (failure == null) {
                        log.info("Success: {}", result);
                    } else {
                        log.error("Failed: {}", failure.getMessage());
                    }
                    return null;
                });
            })).then(outcome -> outcome);
            runtime.blockOn(main);
        } finally {
            target.removeHandler(subscriber);
            target.setUseParentHandlers(parents);
        }
    }

    public static void main(String[] args) {
        try (Runtime runtime = Runtime.builder().build()) {
            run(runtime, true, new Subscriber(System.out::println, true));
        }
    }
}
