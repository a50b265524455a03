package io.krill;

/**
 * The body of a task that runs in steps, the way a Rust future is polled: each call of
 * {@link #resume} advances it and ends by saying what happens next through its {@link Step}:
 * {@link Step#complete complete}, {@link Step#fail fail}, {@link Step#yieldNow() yield}, or
 * {@link Step#await await} a task. State lives in the coroutine object between steps, so a task
 * that yields or awaits a thousand times allocates nothing for it.
 *
 * <pre>{@code
 * runtime.spawn(new Coroutine<Integer>() {
 *     int left = 1_000;
 *     public void resume(Step<Integer> step) {
 *         if (--left == 0) step.complete(42); else step.yieldNow();
 *     }
 * });
 * }</pre>
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface Coroutine<T> {

    /**
     * Runs one step. A thrown exception fails the task with it.
     *
     * @param step how this step ends; valid only during the call
     */
    void resume(Step<T> step) throws Exception;
}
