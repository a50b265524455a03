package io.krill.internal.executor;

import io.krill.internal.task.TaskScheduler;
import io.krill.internal.task.WorkerContext;
import io.krill.internal.time.TimerQueue;

/** A worker's thread: how code finds out it runs on a Krill worker, and which one. */
public final class WorkerThread extends Thread implements WorkerContext {

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

    /** The timers of the current worker thread, or null off a worker. */
    public static TimerQueue currentTimers() {
        WorkerThread w = current();
        return w == null ? null : w.worker.timers();
    }

    @Override
    public TaskScheduler scheduler() {
        return worker.scheduler();
    }

    @Override
    public boolean tryConsumeBudget() {
        return worker.tryConsumeBudget();
    }

    @Override
    public int index() {
        return worker.index;
    }

    @Override
    public String name() {
        return getName();
    }

    /** The runtime's I/O driver ({@link IoDriver#NONE} without native I/O). */
    public IoDriver io() {
        return worker.scheduler().io();
    }


    Worker worker() {
        return worker;
    }
}
