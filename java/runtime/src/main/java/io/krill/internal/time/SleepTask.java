package io.krill.internal.time;

import io.krill.internal.task.AbstractTask;
import io.krill.internal.task.Waker;

/** {@code Time.sleep}: a task completed by its timer; cancelling it cancels the timer. */
public final class SleepTask extends AbstractTask<Void> implements Waker {

    private TimerEntry entry;

    private SleepTask() {}

    /** A sleep on {@code timers} (the current worker's) until {@code deadlineNanos}; never at {@link TimerQueue#NEVER}. */
    public static SleepTask start(TimerQueue timers, long deadlineNanos) {
        SleepTask task = new SleepTask();
        task.entry = new TimerEntry(task);
        if (deadlineNanos != TimerQueue.NEVER) {
            timers.schedule(task.entry, deadlineNanos);
        }
        return task;
    }

    /** The timer fired (on its worker). */
    @Override
    public void wake() {
        completeValue(null);
    }

    @Override
    public boolean cancel() {
        if (!super.cancel()) {
            return false;
        }
        entry.cancel();
        return true;
    }
}
