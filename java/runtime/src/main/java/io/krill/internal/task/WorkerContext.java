package io.krill.internal.task;

/**
 * What a task needs of the worker running it, owned by this floor so that tasks never name the
 * executor: the executor's worker thread implements it, and {@link #current()} is a type test
 * on the current thread (no thread-local lookup).
 */
public interface WorkerContext {

    /** The current thread's worker context, or null off a worker. */
    static WorkerContext current() {
        return Thread.currentThread() instanceof WorkerContext context ? context : null;
    }

    /** The scheduler of the current worker, or null off a worker. */
    static TaskScheduler currentScheduler() {
        WorkerContext context = current();
        return context == null ? null : context.scheduler();
    }

    /** The scheduler this worker belongs to. */
    TaskScheduler scheduler();

    /** Takes one unit of the running task's budget; false when it is spent. */
    boolean tryConsumeBudget();

    /** This worker's index in its runtime: its reactor shard. */
    int index();

    /** The worker thread's name, for messages. */
    String name();
}
