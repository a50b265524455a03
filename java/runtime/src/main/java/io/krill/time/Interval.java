package io.krill.time;

import io.krill.Task;
import io.krill.internal.executor.WorkerThread;
import io.krill.internal.time.SleepTask;
import io.krill.internal.time.TimerQueue;

/**
 * Ticks at a fixed period on the runtime clock (Tokio's {@code Interval}). Call {@link #tick()}
 * from one task (or one virtual thread of {@code spawnVirtual}) at a time.
 */
public final class Interval {

    private final long periodNanos;
    private final MissedTickBehavior behavior;
    private long nextNanos;

    Interval(long periodNanos, MissedTickBehavior behavior, long startNanos) {
        this.periodNanos = periodNanos;
        this.behavior = behavior;
        this.nextNanos = startNanos;
    }

    /**
     * A task completing at the next tick with that tick's scheduled time (runtime clock
     * nanoseconds); at once when the tick is due or overdue. On a virtual thread of
     * {@code spawnVirtual}, the sleep is set on a worker (see {@link Time}).
     */
    public Task<Long> tick() {
        TimerQueue timers = WorkerThread.currentTimers();
        long now = timers != null ? timers.clock().nowNanos() : Time.offWorkerNanos("Interval.tick");
        long tick = nextNanos;
        if (now >= tick) {
            nextNanos = afterLate(tick, now);
            return Task.completed(tick);
        }
        nextNanos = tick + periodNanos;
        Task<Void> sleep = timers != null ? SleepTask.start(timers, tick) : Time.sleepOffWorker("Interval.tick", tick);
        return sleep.map(ignored -> tick);
    }

    /** The next tick after {@code tick}, fired at {@code now} (possibly late). */
    private long afterLate(long tick, long now) {
        long onSchedule = tick + periodNanos;
        if (now < onSchedule) {
            return onSchedule; // on time, or late by less than a period: nothing was missed
        }
        return switch (behavior) {
            case BURST -> onSchedule;
            case DELAY -> now + periodNanos;
            case SKIP -> now + periodNanos - ((now - tick) % periodNanos);
        };
    }

    public MissedTickBehavior missedTickBehavior() {
        return behavior;
    }
}
