package io.krill.internal.task;

import io.krill.Task;

/**
 * A loop that awaits one task per turn, as a single task: the alternative to {@code then}
 * recursion, which keeps one finished link per turn alive until the whole loop ends (a line
 * reader fed one byte at a time would hold one link per byte). A subclass says what each turn
 * does in {@link #next}; the loop holds only the task it waits for now.
 *
 * <p>The loop's steps run on the current worker's runtime, or, made off any worker, on the
 * thread that completes the awaited task. Cancelling the loop cancels what it waits for (see
 * {@link #cancel()}).
 *
 * @param <T> the loop's result
 */
public abstract class AwaitLoop<T> extends ScheduledTask<T> {

    /** Written by the step's thread, read by {@link #cancel()} from any thread. */
    private volatile AbstractTask<?> awaited;
    /** Set by a cancel that came while the awaited task was finishing: end after this turn. */
    private volatile boolean cancelRequested;

    protected AwaitLoop() {
        super(TaskScheduler.here(), false);
    }

    /**
     * One turn, with the task the loop waited for (finished): complete or fail this loop and
     * return null, or return the next task to wait for.
     */
    protected abstract Task<?> next(Task<?> finished) throws Exception;

    /** Starts the loop on {@code first}; returns this loop's task. */
    public final Task<T> start(Task<?> first) {
        if (waitFor(first)) {
            wake(); // finished already: the first turn runs soon
        }
        return this;
    }

    /** Waits for {@code task}; true when it has finished already (no wake will come). */
    private boolean waitFor(Task<?> task) {
        AbstractTask<?> next = AbstractTask.of(task, "the awaited task");
        awaited = next;
        return next.isDone() || !next.addWaiter(this);
    }

    @Override
    protected final void step() throws Exception {
        for (;;) {
            AbstractTask<?> finished = awaited;
            if (finished == null || !finished.isDone()) {
                return; // a spurious wake: still waiting
            }
            Task<?> next = next(finished);
            if (next == null) {
                awaited = null;
                if (!isDone()) {
                    throw new IllegalStateException(getClass().getName()
                            + ".next returned null without completing the loop: it would never run again");
                }
                return;
            }
            if (cancelRequested) { // see cancel(): what this turn started is given up on, and the loop ends
                awaited = null;
                HandBack.cancelOrHandBack(AbstractTask.of(next, "the next task"));
                super.cancel();
                return;
            }
            if (!waitFor(next)) {
                return; // waiting
            }
        }
    }

    /** Fails the loop. */
    protected final void fail(Throwable failure) {
        completeFailure(failure);
    }

    /** Completes the loop as the finished {@code task} did. */
    protected final void finishAs(Task<? extends T> task) {
        completeAs(AbstractTask.of(task, "the loop's outcome"));
    }

    /**
     * Cancels what the loop waits for, then the loop. When that has finished or is finishing (a
     * read whose system call is under way) it cannot be cancelled, and neither can the loop
     * yet: the loop takes its value in one more turn (a line reader keeps the bytes), then ends
     * cancelled instead of waiting again; false is returned, as for any task too far along.
     */
    @Override
    public boolean cancel() {
        if (isDone()) {
            return false;
        }
        AbstractTask<?> waiting = awaited;
        if (waiting == null || waiting.cancel()) {
            return super.cancel() || isCancelled();
        }
        cancelRequested = true;
        AbstractTask<?> moved = awaited;
        if (moved != waiting && moved != null) {
            moved.cancel(); // the step moved on before it could see the request
        }
        return false;
    }
}
