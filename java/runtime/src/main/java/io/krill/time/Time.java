package io.krill.time;

import io.krill.Task;
import io.krill.internal.executor.WorkerThread;
import io.krill.internal.time.Clock;
import io.krill.internal.time.SleepTask;
import io.krill.internal.time.TimeoutTask;
import io.krill.internal.time.TimerQueue;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Timers for tasks. Every method runs on a Krill worker thread (inside a task), whose timing
 * wheel holds the timer; elsewhere they throw {@link IllegalStateException}.
 *
 * <p>Durations are checked: a negative one is an {@link IllegalArgumentException} naming it; one
 * too long for 64-bit nanoseconds means "never" (the task completes only if cancelled).
 */
public final class Time {

    private Time() {}

    /** A task that completes after {@code duration}. Cancel-safe: it holds nothing; cancelling it removes its timer. */
    public static Task<Void> sleep(Duration duration) {
        TimerQueue timers = timers("Time.sleep");
        return SleepTask.start(timers, deadline(timers, check(duration, "sleep duration")));
    }

    /**
     * A task that completes once the runtime clock ({@link #nanoTime()}) reaches
     * {@code deadlineNanos}; at once if it has; never for {@code Long.MAX_VALUE}.
     */
    public static Task<Void> sleepUntil(long deadlineNanos) {
        return SleepTask.start(timers("Time.sleepUntil"), deadlineNanos);
    }

    /**
     * A task that completes at the wall-clock instant {@code deadline}, converted once, now, to
     * the runtime clock (so a later change of the system time does not move it); at once if it
     * has passed. On a paused clock the wall clock is not paused: prefer
     * {@link #sleepUntil(long)} there.
     */
    public static Task<Void> sleepUntil(Instant deadline) {
        Objects.requireNonNull(deadline, "deadline");
        TimerQueue timers = timers("Time.sleepUntil");
        Duration left = Duration.between(Instant.now(), deadline);
        long leftNanos = left.isNegative() ? 0 : check(left, "time left");
        return SleepTask.start(timers, deadline(timers, leftNanos));
    }

    /** The runtime clock: nanoseconds since the runtime started (paused clocks included). */
    public static long nanoTime() {
        return timers("Time.nanoTime").clock().nowNanos();
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
     */
    public static <T> Task<T> timeout(Duration limit, Task<T> task) {
        Objects.requireNonNull(task, "task");
        TimerQueue timers = timers("Time.timeout");
        return TimeoutTask.start(timers, deadline(timers, check(limit, "timeout")), limit, task);
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
        TimerQueue timers = timers("Time.interval");
        return new Interval(periodNanos, behavior, timers.clock().nowNanos());
    }

    static TimerQueue timers(String what) {
        TimerQueue timers = WorkerThread.currentTimers();
        if (timers == null) {
            throw new IllegalStateException(what + " must be called on a Krill worker thread (inside a task):"
                    + " '" + Thread.currentThread().getName() + "' is not one; spawn the code that needs it");
        }
        return timers;
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
