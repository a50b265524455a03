package io.krill;

import io.krill.internal.task.TaskSpan;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A tracing span that tasks carry (tracing's {@code span!} with {@code Instrument}): a name and
 * key/value fields. A task made while a span is current carries it for its whole life, and
 * whatever the task makes while it runs carries it too: a spawned child, a {@code map} or
 * {@code then} continuation, a {@code spawnBlocking} body, on whichever worker runs them (a
 * stolen task included).
 *
 * <pre>{@code
 * Span span = Span.of("request", "id", "42");
 * JoinHandle<Void> handled = span.inScope(() -> runtime.spawn(() -> {
 *     log.info("handling"); // MDC: span=request, id=42
 *     return null;
 * }));
 * }</pre>
 *
 * <p><b>In the MDC.</b> While a task carrying a span runs a step, SLF4J's {@link org.slf4j.MDC}
 * holds the span's name under {@link #MDC_NAME_KEY} ({@code span}) and each field under its own
 * key; they are put in before the step and taken out after it, so a logging pattern such as
 * {@code %X{span}} names the span of the task that logged. On a worker the MDC belongs to the
 * task being run: MDC entries a task puts in itself stay on that worker thread and are not
 * carried to its next step; put them in the span instead.
 *
 * <p>One span is current at a time; a span made inside another does not nest in it (give it
 * the fields it needs). Service tasks of the runtime (a server's connection driver) carry no
 * span, whoever started them.
 */
public final class Span {

    /** The MDC key that holds the current span's name. */
    public static final String MDC_NAME_KEY = TaskSpan.NAME_KEY;

    private final TaskSpan span;

    private Span(TaskSpan span) {
        this.span = span;
    }

    /**
     * A span named {@code name} with fields given as key, value, key, value …
     *
     * @throws IllegalArgumentException for an empty name, an odd number of strings, or a field
     *         named {@link #MDC_NAME_KEY}
     */
    public static Span of(String name, String... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("span fields come in key, value pairs; got " + keysAndValues.length + " strings");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            fields.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return new Span(TaskSpan.of(name, fields));
    }

    /** A span named {@code name} with {@code fields}, in their iteration order. */
    public static Span of(String name, Map<String, String> fields) {
        return new Span(TaskSpan.of(name, fields));
    }

    /**
     * The current span: in a task's step, the task's (unless the step entered another with
     * {@link #inScope}); on another thread, the one it entered with {@code inScope}.
     */
    public static Optional<Span> current() {
        TaskSpan current = TaskSpan.current();
        return current == null ? Optional.empty() : Optional.of(new Span(current));
    }

    /**
     * Runs {@code body} with this span current on the calling thread (tracing's
     * {@code in_scope}): the tasks it makes carry the span, and the MDC holds its entries. The
     * previous span and the thread's MDC are back as they were afterwards.
     */
    public <T> T inScope(Supplier<T> body) {
        Objects.requireNonNull(body, "body");
        return span.inScope(body);
    }

    public String name() {
        return span.name();
    }

    /** The fields, in the order given; unmodifiable. */
    public Map<String, String> fields() {
        return span.fields();
    }

    /** Spans are equal when they are the same span (a {@link #current()} of it included). */
    @Override
    public boolean equals(Object other) {
        return other instanceof Span that && that.span == span;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(span);
    }

    /** {@code name{key=value, ...}}, as tracing prints a span. */
    @Override
    public String toString() {
        return span.toString();
    }
}
