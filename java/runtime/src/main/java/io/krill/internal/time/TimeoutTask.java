package io.krill.internal.time;

import io.krill.Task;
import io.krill.internal.task.AbstractTask;
import io.krill.internal.task.HandBack;
import io.krill.internal.task.Waker;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * {@code Time.timeout}: completes as the inner task does, or fails with a
 * {@link TimeoutException} at the deadline and cancels the inner task. The timeout wins only by
 * cancelling the inner task; an inner task that finished first keeps its outcome. The timer enters the
 * wheel only at the end of the current step, so an inner task finishing within it never
 * touches the wheel.
 */
public final class TimeoutTask<T> extends AbstractTask<T> implements Waker {

    private final AbstractTask<T> inner;
    private final Duration limit;
    private TimerEntry entry;
    /** Set when the timer fired, before the inner task is cancelled (its wake then reports the timeout). */
    private volatile boolean timedOut;

    private TimeoutTask(AbstractTask<T> inner, Duration limit) {
        this.inner = inner;
        this.limit = limit;
    }

    public static <T> Task<T> start(TimerQueue timers, long deadlineNanos, Duration limit, Task<T> task) {
        AbstractTask<T> inner = AbstractTask.of(task, "the task");
        if (inner.isDone()) {
            return inner; // finished already: no timer at all
        }
        TimeoutTask<T> timeout = new TimeoutTask<>(inner, limit);
        timeout.entry = new TimerEntry(timeout::expired);
        if (deadlineNanos != TimerQueue.NEVER) {
            timers.schedule(timeout.entry, deadlineNanos);
        }
        inner.whenDone(timeout);
        return timeout;
    }

    /**
     * The inner task finished: first, or because the timer cancelled it. Only a cancellation the
     * timer won reports the timeout; an inner task that finished otherwise, even after the timer
     * fired, is this task's outcome.
     */
    @Override
    public void wake() {
        if (timedOut && inner.isCancelled()) {
            completeFailure(timeoutFailure());
        } else if (completeAs(inner)) {
            entry.cancel();
        }
    }

    /**
     * The timer fired: cancel the inner task first, so that whoever sees this task fail sees the
     * inner one cancelled too, then fail (unless the inner task's wake already did). When the
     * cancel loses because the inner task has just finished (a lock granted, a message
     * received), its outcome is delivered instead, as Tokio's timeout does: dropping it would
     * lose the value (a granted guard nobody closes locks the mutex forever).
     */
    private void expired() {
        timedOut = true;
        if (inner.cancel()) {
            completeFailure(timeoutFailure());
        } else if (inner.isDone()) {
            completeAs(inner); // finished first: its wake delivers the same outcome, whichever runs first
        } // else finishing (a grant in flight, a system call under way): its wake delivers it
    }

    private TimeoutException timeoutFailure() {
        return new TimeoutException("task did not finish within " + limit);
    }

    /** The value, taken by nobody, is the inner task's: it goes back where it came from. */
    @Override
    protected void handBack(T value) {
        HandBack.handBack(inner);
    }

    /**
     * Cancels the inner task first: one that has finished or is finishing (a grant in flight, a
     * system call under way) cannot be cancelled, and neither can this task, which then
     * completes as the inner one does; so whoever cancels a timeout (a race it lost) waits for
     * that value instead of seeing a cancellation while the value is still on its way.
     */
    @Override
    public boolean cancel() {
        if (isDone() || !inner.cancel()) {
            return false;
        }
        entry.cancel();
        super.cancel(); // or the inner task's wake completed this as cancelled already
        return isCancelled();
    }
}
