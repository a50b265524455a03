package io.krill.internal.task;

/**
 * What a thread that is not a Krill worker knows of the runtime it belongs to (#15): the body of
 * {@code runtime.spawnVirtual} runs with its task bound as the home ({@link OffWorker}). Owned by
 * this floor, implemented by the executor's virtual-thread task, so that tasks and the
 * operations routed from such a thread never name the executor.
 */
public interface Home {

    /** The scheduler of the runtime: where operations that need a worker are sent. */
    TaskScheduler scheduler();

    /** The runtime clock now (nanoseconds since the runtime started, paused clocks included). */
    long clockNanos();

    /**
     * True once the home's own task was cancelled: a {@code Task.join()} on its thread then
     * gives up, cancelling the task it waits for, as an await does in an aborted task.
     */
    boolean isCancelled();
}
