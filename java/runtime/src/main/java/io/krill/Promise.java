package io.krill;

/**
 * A task completed by hand, from any thread (a oneshot): the bridge from callbacks to tasks.
 *
 * @param <T> the result type
 */
public sealed interface Promise<T> extends Task<T> permits io.krill.internal.task.PromiseTask {

    /** Completes with {@code value}; false if already finished. */
    boolean complete(T value);

    /** Completes with {@code failure}; false if already finished. */
    boolean fail(Throwable failure);
}
