package io.krill;

/**
 * How one step of a {@link Coroutine} ends. Exactly one of {@link #complete}, {@link #fail},
 * {@link #yieldNow()} or a pending {@link #await} must be said before {@code resume} returns:
 * a coroutine that says nothing would never run again, so its task fails with an
 * {@link IllegalStateException} instead.
 *
 * @param <T> the coroutine's result type
 */
public interface Step<T> {

    /** Finishes the task with {@code value}. */
    void complete(T value);

    /** Finishes the task with {@code failure}. */
    void fail(Throwable failure);

    /** Runs the next step after the tasks already queued on this worker. */
    void yieldNow();

    /**
     * Arranges for the next step to run once {@code task} has finished.
     *
     * <p>Returns true when {@code task} is already finished and this step may go on with its
     * result at once; that costs one unit of the cooperative budget (128 per step). With the
     * budget spent it returns false and the next step runs after the queued tasks, so a loop of
     * ready awaits cannot starve the worker.
     *
     * @return true to continue now, false to return from {@code resume} and be resumed later
     */
    boolean await(Task<?> task);

    /** True when the task was cancelled; the coroutine may stop early (the task is already done). */
    boolean isCancelled();
}
