package io.krill.internal.executor;

import io.krill.internal.task.TaskScheduler;

/** A worker's thread: how code finds out it runs on a Krill worker, and which one. */
public final class WorkerThread extends Thread {

    private final Worker worker;

    WorkerThread(Worker worker, String name) {
        super(null, worker, name);
        this.worker = worker;
        setDaemon(true); // a runtime never left unclosed should not keep the JVM alive
    }

    /** The current thread as a worker, or null. */
    public static WorkerThread current() {
        return Thread.currentThread() instanceof WorkerThread w ? w : null;
    }

    /** The scheduler of the current worker thread, or null off a worker. */
    public static TaskScheduler currentScheduler() {
        WorkerThread w = current();
        return w == null ? null : w.worker.scheduler();
    }

    /** Takes one unit of the running task's budget; false when it is spent. Off a worker: true. */
    public static boolean tryConsumeBudget() {
        WorkerThread w = current();
        return w == null || w.worker.tryConsumeBudget();
    }

    /** The timers of the current worker thread, or null off a worker. */
    public static io.krill.internal.time.TimerQueue currentTimers() {
        WorkerThread w = current();
        return w == null ? null : w.worker.timers();
    }

    /** This worker's index in its runtime. */
    public int index() {
        return worker.index;
    }

    /** The runtime's I/O driver, or null (see {@code MultiThreadScheduler.io()}). */
    public Object io() {
        return worker.scheduler().io();
    }

    /** The runtime this worker belongs to (a {@code io.krill.Runtime}). */
    public Object runtime() {
        return worker.scheduler().runtime();
    }

    Worker worker() {
        return worker;
    }
}
