package io.krill.internal.reactor;

import io.krill.internal.executor.WorkerThread;

/** Finds the I/O driver of the runtime whose worker is running the caller. */
public final class Reactor {

    private Reactor() {}

    /**
     * The connection table of the current worker's runtime.
     *
     * @throws IllegalStateException off a worker, or on a runtime without native I/O
     */
    public static ConnectionTable currentTable() {
        WorkerThread worker = WorkerThread.current();
        if (worker == null) {
            throw new IllegalStateException("I/O registration must run on a Krill worker thread (inside a task)");
        }
        // The executor knows its driver only as an IoDriver; this runtime's is the table, or NONE.
        if (!(worker.io() instanceof ConnectionTable table)) {
            throw new IllegalStateException("this runtime has no native I/O: it was built with nativeParking(false),"
                    + " or libkrill could not be loaded on this platform");
        }
        return table;
    }

    /**
     * The current thread's worker index when it is a worker of {@code table}'s runtime, else
     * {@code otherwise}: where a registration made from any thread joins.
     */
    public static int currentWorkerOr(ConnectionTable table, int otherwise) {
        WorkerThread worker = WorkerThread.current();
        return worker != null && worker.io() == table ? worker.index() : otherwise;
    }

    /** The index of the current worker: the shard whose epoll a registration joins. */
    public static int currentWorker() {
        WorkerThread worker = WorkerThread.current();
        if (worker == null) {
            throw new IllegalStateException("not on a Krill worker thread");
        }
        return worker.index();
    }
}
