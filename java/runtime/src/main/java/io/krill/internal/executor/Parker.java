package io.krill.internal.executor;

/**
 * How an idle worker sleeps and is woken. An {@link #unpark()} before {@link #park} is not
 * lost: the next park returns at once. The reactor will implement it with epoll_wait/eventfd.
 */
public interface Parker {

    /** Sleeps until {@link #unpark()} (or spuriously); consumes one pending unpark. */
    default void park() {
        park(-1);
    }

    /**
     * As {@link #park()}, returning after at most {@code timeoutNanos} (negative: no limit),
     * so that a worker wakes for its next timer.
     */
    void park(long timeoutNanos);

    /** Wakes the parked worker, or makes its next park return at once. Any thread. */
    void unpark();

    /** Owner only: handles the I/O that is ready now, without blocking; no-op without I/O. */
    default void pollNow() {}

    /**
     * Another worker's look at this parker's I/O, when its owner seems stuck in a long task
     * step: handles what is ready now, without blocking, on the calling worker (the tasks it
     * wakes are queued there). Does nothing while the owner itself polls or sleeps in its poll.
     *
     * @return true when it handled any event
     */
    default boolean pollForeign() {
        return false;
    }

    /** Releases what the parker holds (descriptors, memory); after the worker's thread ended. */
    default void close() {}
}
