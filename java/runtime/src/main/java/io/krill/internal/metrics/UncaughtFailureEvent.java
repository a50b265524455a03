package io.krill.internal.metrics;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A failure the runtime reported to its uncaught-exception hook and went on from: a spawned
 * task that failed and was never joined, a timer or I/O waker that threw, a hook that threw.
 * On by default: each is a bug somewhere, and rare.
 */
@Name("io.krill.UncaughtFailure")
@Label("Uncaught Failure")
@Category({"Krill", "Executor"})
@Description("A failure Krill reported to its uncaught-exception handler; the worker went on")
@StackTrace(false) // the failure's own trace is in the message's source: the hook logs it
public final class UncaughtFailureEvent extends jdk.jfr.Event {

    @Label("Thread")
    public String thread;

    @Label("Failure")
    public String failure;

    @Label("Message")
    public String message;

    /** Records {@code failure} if a recording wants it ({@link KrillEvents#failures}). */
    public static void record(Throwable failure) {
        UncaughtFailureEvent event = new UncaughtFailureEvent();
        if (event.shouldCommit()) {
            event.thread = Thread.currentThread().getName();
            event.failure = failure.getClass().getName();
            event.message = String.valueOf(failure.getMessage());
            event.commit();
        }
    }
}
