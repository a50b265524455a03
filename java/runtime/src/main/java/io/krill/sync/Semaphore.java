package io.krill.sync;

import io.krill.Task;
import java.util.ArrayList;
import java.util.List;

/**
 * A fair (FIFO) counting semaphore: a large request at the head of the queue is served before
 * smaller ones behind it, so none starves (Tokio's semantics). The base of {@link Mutex}.
 */
public final class Semaphore {

    private static final Task<Void> READY = Task.completed(null);

    private final WaitQueue queue = new WaitQueue(); // guarded by this
    private long permits;                             // guarded by this
    private boolean closed;                           // guarded by this

    public Semaphore(long permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits must not be negative, got " + permits);
        }
        this.permits = permits;
    }

    /** One permit: see {@link #acquire(long)}. */
    public Task<Void> acquire() {
        return acquire(1);
    }

    /**
     * A task completing once {@code n} permits are this caller's (release them with
     * {@link #release(long)}); failing with {@link ClosedException} if the semaphore closes
     * first. Cancelling it before it completes gives nothing up: it leaves the queue.
     */
    public Task<Void> acquire(long n) {
        checkAmount(n);
        synchronized (this) {
            if (closed) {
                return Task.failed(new ClosedException("semaphore closed"));
            }
            if (queue.isEmpty() && permits >= n) {
                permits -= n;
                return READY;
            }
            Waiter<Void> waiter = new Waiter<>(this, n);
            queue.add(waiter);
            return waiter;
        }
    }

    /** Takes {@code n} permits if they are free now and nobody queues before; never waits. */
    public synchronized boolean tryAcquire(long n) {
        checkAmount(n);
        if (!closed && queue.isEmpty() && permits >= n) {
            permits -= n;
            return true;
        }
        return false;
    }

    public boolean tryAcquire() {
        return tryAcquire(1);
    }

    public void release() {
        release(1);
    }

    /** Returns {@code n} permits, granting queued waiters in order while they fit. */
    public void release(long n) {
        checkAmount(n);
        List<Waiter<?>> granted = null;
        synchronized (this) {
            permits += n;
            while (!queue.isEmpty() && queue.peek().amount <= permits) {
                Waiter<?> head = queue.grantHead();
                permits -= head.amount;
                if (granted == null) {
                    granted = new ArrayList<>(2);
                }
                granted.add(head);
            }
        }
        if (granted != null) {
            for (Waiter<?> waiter : granted) {
                waiter.grant(null); // outside the lock: waking runs no code under it
            }
        }
    }

    /** Fails every waiter and every later acquire with {@link ClosedException}. */
    public void close() {
        List<Waiter<?>> refused;
        synchronized (this) {
            closed = true;
            refused = queue.grantAll();
        }
        for (Waiter<?> waiter : refused) {
            waiter.refuse(new ClosedException("semaphore closed"));
        }
    }

    public synchronized long availablePermits() {
        return permits;
    }

    public synchronized int queuedWaiters() {
        return queue.size();
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    private static void checkAmount(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("permit count must be at least 1, got " + n);
        }
    }
}
