package io.krill;

/**
 * The handle of a spawned task: its result as a {@link Task}, plus {@link #abort()}.
 *
 * @param <T> the result type
 */
public sealed interface JoinHandle<T> extends Task<T>
        permits io.krill.internal.task.ScheduledTask, io.krill.internal.executor.BlockingPool.BlockingTask,
                io.krill.internal.executor.VirtualThreads.VirtualTask {

    /**
     * Cancels the spawned task: a task not yet started never runs; a running one is completed as
     * cancelled when its current step returns (Java code is not interrupted mid-step). A body of
     * {@link Runtime#spawnVirtual} is completed as cancelled at once and its thread interrupted
     * (see there).
     *
     * @return true if this call cancelled it
     */
    default boolean abort() {
        return cancel();
    }

    /** True once the task has finished, by any outcome. */
    default boolean isFinished() {
        return isDone();
    }
}
