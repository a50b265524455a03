package io.krill.time;

import io.krill.Task;
import io.krill.internal.executor.WorkerThread;
import io.krill.internal.task.OffWorker;
import io.krill.internal.time.Clock;
import io.krill.internal.time.SleepTask;
import io.krill.internal.time.TimeoutTask;
import io.krill.internal.time.TimerQueue;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Timers for tasks. On a Krill worker thread (inside a task) the worker's timing wheel holds the
 * timer. On a virtual thread of {@link io.krill.Runtime#spawnVirtual} the timer is set on one of
 * that runtime's workers, and the task is handed back to {@code join()} (#15): the deadline is
 * taken on the calling thread, so the trip to the worker does not lengthen a sleep. On any
 * other thread they throw {@link IllegalStateException}, saying so.
 *
 * <p>Durations are checked: a negative one is an {@link IllegalArgumentException} naming it; one
 * too long for 64-bit nanoseconds means "never" (the task completes only if cancelled).
 */
public final class Time {

    private Time() {}

    /** A task that completes after {@code duration}. Cancel-safe: it holds nothing; cancelling it removes its timer. */
    public static Task<Void> sleep(Duration duration) {
        long durationNanos = check(duration, "sleep duration");
        TimerQueue timers = WorkerThread.currentTimers();
        if (timers == null) {
            return sleepOffWorker("Time.sleep", Clock.saturatedAdd(offWorkerNanos("Time.sleep"), durationNanos));
        }
        return SleepTask.start(timers, deadline(timers, durationNanos));
    }

    /**
     * A task that completes once the runtime clock ({@link #nanoTime()}) reaches
     * {@code deadlineNanos}; at once if it has; never for {@code Long.MAX_VALUE}.
     */
    public static Task<Void> sleepUntil(long deadlineNanos) {
        TimerQueue timers = WorkerThread.currentTimers();
        if (timers == null) {
            return sleepOffWorker("Time.sleepUntil", deadlineNanos);
        }
        return SleepTask.start(timers, deadlineNanos);
    }

    /**
     * A task that completes at the wall-clock instant {@code deadline}, converted once, now, to
     * the runtime clock (so a later change of the system time does not move it); at once if it
     * has passed. On a paused clock the wall clock is not paused: prefer
     * {@link #sleepUntil(long)} there.
     */
    public static Task<Void> sleepUntil(Instant deadline) {
        Objects.requireNonNull(deadline, "deadline");
        Duration left = Duration.between(Instant.now(), deadline);
        long leftNanos = left.isNegative() ? 0 : check(left, "time left");
        TimerQueue timers = WorkerThread.currentTimers();
        if (timers == null) {
            return sleepOffWorker("Time.sleepUntil", Clock.saturatedAdd(offWorkerNanos("Time.sleepUntil"), leftNanos));
        }
        return SleepTask.start(timers, deadline(timers, leftNanos));
    }

    /** The runtime clock: nanoseconds since the runtime started (paused clocks included). */
    public static long nanoTime() {
        TimerQueue timers = WorkerThread.currentTimers();
        return timers != null ? timers.clock().nowNanos() : offWorkerNanos("Time.nanoTime");
    }

    /**
     * {@code task}'s outcome if it finishes within {@code limit}; else a failure with a
     * {@link java.util.concurrent.TimeoutException}, and {@code task} is cancelled.
     *
     * <p>No result is lost when the timeout fires: the timeout wins only by cancelling
     * {@code task}; a task that finished first, or is finishing as the timer fires (a lock
     * granted, a message handed over), is delivered instead, as Tokio's {@code timeout} does.
     * Cancelling the timeout itself gives back what {@code task} got (see each operation's
     * cancel-safety note). What {@code task} did before it was cancelled is its own
     * operation's cancel safety.
     *
     * <p>Off a worker (a virtual thread of {@code spawnVirtual}), the timeout is set on a worker;
     * cancelled before it got there, it cancels {@code task} as it would have.
     */
    public static <T> Task<T> timeout(Duration limit, Task<T> task) {
        Objects.requireNonNull(task, "task");
        long limitNanos = check(limit, "timeout");
        TimerQueue timers = WorkerThread.currentTimers();
        if (timers == null) {
            long deadlineNanos = Clock.saturatedAdd(offWorkerNanos("Time.timeout"), limitNanos);
            Task<T> routed = OffWorker.route("Time.timeout",
                    () -> TimeoutTask.start(WorkerThread.currentTimers(), deadlineNanos, limit, task));
            routed.handle((value, failure) -> failure instanceof java.util.concurrent.CancellationException
                    ? task.cancel() : false); // cancelled before the timeout was set: nobody else cancels the task
            return routed;
        }
        return TimeoutTask.start(timers, deadline(timers, limitNanos), limit, task);
    }

    /** Ticks every {@code period}, the first at once; missed ticks burst. */
    public static Interval interval(Duration period) {
        return interval(period, MissedTickBehavior.BURST);
    }

    /** Ticks every {@code period}, the first at once, with the given missed-tick behaviour. */
    public static Interval interval(Duration period, MissedTickBehavior behavior) {
        Objects.requireNonNull(behavior, "behavior");
        long periodNanos = check(period, "interval period");
        if (periodNanos == 0) {
            throw new IllegalArgumentException("interval period must be positive, got " + period);
        }
        if (periodNanos == Long.MAX_VALUE) {
            throw new IllegalArgumentException("interval period is too long: " + period);
        }
        TimerQueue timers = WorkerThread.currentTimers();
        return new Interval(periodNanos, behavior, timers != null ? timers.clock().nowNanos() : offWorkerNanos("Time.interval"));
    }

    /** Off a worker: the runtime clock of the calling thread's runtime (no trip to a worker: the clock is shared). */
    static long offWorkerNanos(String what) {
        return OffWorker.home(what).clockNanos();
    }

    /** Off a worker: a sleep until {@code deadlineNanos} set on a worker of the calling thread's runtime. */
    static Task<Void> sleepOffWorker(String what, long deadlineNanos) {
        return OffWorker.route(what, () -> SleepTask.start(WorkerThread.currentTimers(), deadlineNanos));
    }

    /** Nanoseconds of a non-negative duration, saturating at Long.MAX_VALUE (never). */
    private static long check(Duration duration, String what) {
        Objects.requireNonNull(duration, what);
        if (duration.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, got " + duration);
        }
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    private static long deadline(TimerQueue timers, long durationNanos) {
        return Clock.saturatedAdd(timers.clock().nowNanos(), durationNanos);
    }
}
