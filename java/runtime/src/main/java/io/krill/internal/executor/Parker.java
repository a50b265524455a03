package io.krill.internal.executor;

/**
 * How an idle worker sleeps and is woken. An {@link #unpark()} before {@link #park} is not
 * lost: the next park returns at once. The reactor will implement it with epoll_wait/eventfd.
 */
public interface Parker {

    /** Sleeps until {@link #unpark()} (or spuriously); consumes one pending unpark. */
    void park();

    /** Wakes the parked worker, or makes its next park return at once. Any thread. */
    void unpark();
}
