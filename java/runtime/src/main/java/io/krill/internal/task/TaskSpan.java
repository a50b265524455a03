package io.krill.internal.task;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.MDC;

/**
 * A tracing span as a task carries it: a name and key/value fields, immutable. The machinery
 * behind {@code io.krill.Span}.
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>Current span.</b> Each thread has at most one current span ({@link #CURRENT}). A
 * scheduled task takes the current span when it is made ({@link #inherited()}), so whatever a
 * task makes while it runs (a spawned child, a {@code map} continuation, a wait) carries its
 * span; {@link ScheduledTask#run()} makes the task's span current for the step ({@link #enter})
 * and puts the previous one back after it ({@link #exit}).
 *
 * <p><b>MDC.</b> While a span is current, SLF4J's MDC holds its entries: {@link #NAME_KEY} maps
 * to the name and each field's key to its value. {@link #enter} takes the previous span's
 * entries out and puts the new one's in; {@link #exit} undoes that. So on a worker, whose MDC
 * belongs to the task it runs, a step sees exactly its span's entries, and the next step of
 * another task none of them. A thread that keeps MDC entries of its own (an application's
 * main thread) and enters a span with {@code Span.inScope} gets them back as they were: that
 * path saves and restores the whole map ({@link #inScope}).
 *
 * <p><b>Cost.</b> Until the first span is made, {@link #inUse()} is false and the poll path
 * reads that one static field: no thread-local access. After, each step reads and, when the
 * span changes, writes the thread-local and the MDC. {@code anySpan} is written once, before the
 * first span exists; a task carrying a span was made after that write and reached the worker
 * that runs it through a queue push and pop (release/acquire), so that worker sees it true.
 * A thread that reads a stale false only skips a span that no task it runs can carry.
 */
public final class TaskSpan {

    /** The MDC key of the span's name. */
    public static final String NAME_KEY = "span";

    private static final ThreadLocal<TaskSpan> CURRENT = new ThreadLocal<>();
    /** Set once, by the first span made (see the class notes); plain, read on every poll. */
    private static boolean anySpan;

    private final String name;
    private final Map<String, String> fields; // unmodifiable, in the order given

    private TaskSpan(String name, Map<String, String> fields) {
        this.name = name;
        this.fields = fields;
    }

    /**
     * A span named {@code name} with {@code fields} (copied, in their iteration order).
     *
     * @throws IllegalArgumentException for an empty name, or a field named {@link #NAME_KEY}
     */
    public static TaskSpan of(String name, Map<String, String> fields) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a span's name must not be empty");
        }
        Map<String, String> copy = new LinkedHashMap<>();
        for (Map.Entry<String, String> field : fields.entrySet()) {
            String key = Objects.requireNonNull(field.getKey(), "a field's key");
            if (key.equals(NAME_KEY)) {
                throw new IllegalArgumentException("a span field may not be named '" + NAME_KEY + "': the MDC holds the span's name there");
            }
            copy.put(key, Objects.requireNonNull(field.getValue(), "the value of field " + key));
        }
        anySpan = true; // before any task can carry this span (see the class notes)
        return new TaskSpan(name, Collections.unmodifiableMap(copy));
    }

    public String name() {
        return name;
    }

    /** The fields, in the order given; unmodifiable. */
    public Map<String, String> fields() {
        return fields;
    }

    /** False until the first span is made: the poll path's only cost while nobody traces. */
    public static boolean inUse() {
        return anySpan;
    }

    /** The current thread's span, or null. */
    public static TaskSpan current() {
        return anySpan ? CURRENT.get() : null;
    }

    /** The span a task made now on this thread carries: the current one. */
    public static TaskSpan inherited() {
        return current();
    }

    /**
     * Makes {@code next} (null: none) current on this thread, its entries in the MDC.
     *
     * @return the span that was current, for {@link #exit}
     */
    public static TaskSpan enter(TaskSpan next) {
        TaskSpan previous = CURRENT.get();
        if (previous != next) {
            CURRENT.set(next);
            if (previous != null) {
                previous.removeFromMdc();
            }
            if (next != null) {
                next.putIntoMdc();
            }
        }
        return previous;
    }

    /** Undoes {@link #enter}: {@code previous} current again, with its entries in the MDC. */
    public static void exit(TaskSpan entered, TaskSpan previous) {
        if (previous != entered) {
            CURRENT.set(previous);
            if (entered != null) {
                entered.removeFromMdc();
            }
            if (previous != null) {
                previous.putIntoMdc();
            }
        }
    }

    /**
     * Runs {@code body} with this span current on the calling thread, and the MDC as it was
     * before afterwards, entries of the thread's own included.
     */
    public <T> T inScope(java.util.function.Supplier<T> body) {
        Map<String, String> mdcBefore = MDC.getCopyOfContextMap();
        TaskSpan previous = enter(this);
        try {
            return body.get();
        } finally {
            CURRENT.set(previous);
            if (mdcBefore == null || mdcBefore.isEmpty()) {
                MDC.clear();
            } else {
                MDC.setContextMap(mdcBefore);
            }
        }
    }

    private void putIntoMdc() {
        MDC.put(NAME_KEY, name);
        for (Map.Entry<String, String> field : fields.entrySet()) {
            MDC.put(field.getKey(), field.getValue());
        }
    }

    private void removeFromMdc() {
        MDC.remove(NAME_KEY);
        for (String key : fields.keySet()) {
            MDC.remove(key);
        }
    }

    /** As tracing's fmt prints a span: {@code name{key=value, ...}}, or the name alone. */
    @Override
    public String toString() {
        if (fields.isEmpty()) {
            return name;
        }
        StringBuilder text = new StringBuilder(name).append('{');
        String separator = "";
        for (Map.Entry<String, String> field : fields.entrySet()) {
            text.append(separator).append(field.getKey()).append('=').append(field.getValue());
            separator = ", ";
        }
        return text.append('}').toString();
    }
}
