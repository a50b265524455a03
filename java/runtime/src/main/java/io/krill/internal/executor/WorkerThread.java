package io.krill.internal.executor;

import io.krill.internal.task.TaskScheduler;
import io.krill.internal.task.WorkerContext;
import io.krill.internal.time.TimerQueue;

/** A worker's thread: how code finds out it runs on a Krill worker, and which one. */
public final class WorkerThread extends Thread implements WorkerContext {

    private static final java.lang.invoke.VarHandle CROSSINGS;

    static {
        try {
            CROSSINGS = java.lang.invoke.MethodHandles.lookup().findVarHandle(WorkerThread.class, "crossings", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Worker worker;
    /** Native calls made on this thread (opaque: written by this thread only, read by metrics). */
    private long crossings;

    WorkerThread(Worker worker, String name) {
        super(null, worker, name);
        this.worker = worker;
        setDaemon(true); // a runtime never left unclosed should not keep the JVM alive
    }

    /** The current thread as a worker, or null. */
    public static WorkerThread current() {
        return Thread.currentThread() instanceof WorkerThread w ? w : null;
    }

    /**
     * Counts one native call made by the current thread, when it is a worker (the backends call
     * this once per call). A thread check, a load and a store to a field no other thread
     * writes: about a nanosecond, against 10-20 for the crossing itself, so it stays on.
     */
    public static void countCrossing() {
        if (Thread.currentThread() instanceof WorkerThread w) {
            CROSSINGS.setOpaque(w, w.crossings + 1);
        }
    }

    /** Native calls this worker made so far. */
    long crossings() {
        return (long) CROSSINGS.getOpaque(this);
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
