package io.krill.internal.executor;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which workers are searching for work and which are parked (Tokio's {@code idle.rs}).
 *
 * <pre>
 * state: | unparked workers | searching workers |
 *        |     16 bits      |      16 bits      |
 * </pre>
 *
 * The state word is read without the lock to decide quickly that nobody needs waking; every
 * change that parks or wakes a worker happens under the lock, together with the sleeper stack.
 */
final class Idle {

    private static final int SEARCH_ONE = 1;
    private static final int UNPARK_ONE = 1 << 16;
    private static final int SEARCH_MASK = UNPARK_ONE - 1;

    private final int workers;
    private final AtomicInteger state;
    private final int[] sleepers; // guarded by this: a stack of parked worker indices
    private int sleeperCount;     // guarded by this

    Idle(int workers) {
        if (workers >= UNPARK_ONE) {
            throw new IllegalArgumentException("at most " + (UNPARK_ONE - 1) + " workers, got " + workers);
        }
        this.workers = workers;
        this.state = new AtomicInteger(workers * UNPARK_ONE); // all unparked, none searching
        this.sleepers = new int[workers];
    }

    private static int searching(int s) {
        return s & SEARCH_MASK;
    }

    private static int unparked(int s) {
        return s >>> 16;
    }

    /** The worker to wake for new work, marked unparked and searching; -1 when none should be. */
    int workerToNotify() {
        if (!shouldWake()) {
            return -1;
        }
        synchronized (this) {
            if (!shouldWake() || sleeperCount == 0) {
                return -1;
            }
            state.addAndGet(SEARCH_ONE + UNPARK_ONE);
            return sleepers[--sleeperCount];
        }
    }

    /** Nobody searches (so nobody will find new work) and somebody sleeps. */
    private boolean shouldWake() {
        int s = state.get();
        return searching(s) == 0 && unparked(s) < workers;
    }

    /**
     * A worker parks.
     *
     * @return true when it was the last searcher: it must then re-check for pending work
     */
    boolean transitionWorkerToParked(int index, boolean searching) {
        synchronized (this) {
            int prev = state.getAndAdd(-(UNPARK_ONE + (searching ? SEARCH_ONE : 0)));
            sleepers[sleeperCount++] = index;
            return searching && searching(prev) == 1;
        }
    }

    /** A worker starts searching, unless half of the workers already are. */
    boolean transitionWorkerToSearching() {
        int s = state.get();
        if (2 * searching(s) >= workers) {
            return false;
        }
        state.addAndGet(SEARCH_ONE); // a brief overshoot is harmless, as in Tokio
        return true;
    }

    /** A searcher found work. @return true when it was the last searcher */
    boolean transitionWorkerFromSearching() {
        return searching(state.getAndAdd(-SEARCH_ONE)) == 1;
    }

    /** True while the worker is still on the sleeper stack (not yet chosen to wake). */
    synchronized boolean isParked(int index) {
        for (int i = 0; i < sleeperCount; i++) {
            if (sleepers[i] == index) {
                return true;
            }
        }
        return false;
    }

    /**
     * A parked worker wakes by itself (it has work, or the runtime stops): leave the stack.
     *
     * @return true when it was still there (so it is unparked but not searching)
     */
    synchronized boolean unparkWorkerById(int index) {
        for (int i = 0; i < sleeperCount; i++) {
            if (sleepers[i] == index) {
                sleepers[i] = sleepers[--sleeperCount];
                state.addAndGet(UNPARK_ONE);
                return true;
            }
        }
        return false;
    }

    /**
     * Takes a particular parked worker off the stack, counted unparked and searching (as a worker
     * chosen by {@link #workerToNotify()} is); for timer wake-ups.
     *
     * @return true if it was parked
     */
    synchronized boolean unparkSpecific(int index) {
        for (int i = 0; i < sleeperCount; i++) {
            if (sleepers[i] == index) {
                sleepers[i] = sleepers[--sleeperCount];
                state.addAndGet(SEARCH_ONE + UNPARK_ONE);
                return true;
            }
        }
        return false;
    }

    int searchingWorkers() {
        return searching(state.get());
    }

    int parkedWorkers() {
        return workers - unparked(state.get());
    }
}
