package io.krill.internal.task;

/** Where a woken task goes: a runtime's workers, or the waking thread itself. */
public interface TaskScheduler {

    /**
     * Queues a task whose NOTIFIED bit the caller has just set.
     *
     * @param yielded true when the task ran and asked to run again (it goes behind the queued
     *                tasks); false for a fresh wake (it may go to the worker's LIFO slot)
     */
    void schedule(ScheduledTask<?> task, boolean yielded);

    /** A task bound to this scheduler was created; it stays live until it finishes. */
    default void taskCreated() {}

    /** A live task finished (by any outcome). */
    default void taskFinished(ScheduledTask<?> task, Throwable failureOrNull) {}

    /** A task went idle waiting for a wake; the scheduler may track it to cancel it at shutdown. */
    default void taskWaiting(ScheduledTask<?> task) {}

    /**
     * A failure nobody else will see (for example a handler callback that threw while its
     * connection was being closed): the runtime's uncaught-exception handler gets it.
     */
    default void uncaught(Throwable failure) {
        org.slf4j.LoggerFactory.getLogger(TaskScheduler.class).error("uncaught failure", failure);
    }

    /** Runs tasks on the thread that wakes them: for continuations of tasks outside any runtime. */
    TaskScheduler INLINE = (task, yielded) -> task.run();

    /** The current worker's scheduler, or {@link #INLINE} off any worker: where a task made here runs. */
    static TaskScheduler here() {
        TaskScheduler current = WorkerContext.currentScheduler();
        return current != null ? current : INLINE;
    }
}
