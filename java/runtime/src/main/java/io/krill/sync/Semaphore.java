package io.krill.sync;

import io.krill.Task;
import io.krill.internal.task.AbstractTask;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * A fair (FIFO) counting semaphore: a large request at the head of the queue is served before
 * smaller ones behind it, so none starves (Tokio's semantics). The base of {@link Mutex} and
 * {@link RwLock}.
 *
 * <h2>Implementation notes</h2>
 *
 * <p>Tokio's {@code batch_semaphore} layout: the free permits live in one atomic word, the
 * waiters in a FIFO under this object's monitor.
 *
 * <pre>
 * | permits  | QUEUED | CLOSED |
 * | 62 bits  | 1 bit  | 1 bit  |
 * </pre>
 *
 * <ul>
 *   <li>QUEUED is set exactly while the waiter queue is non-empty (as seen at the monitor's
 *       boundaries): it is set, under the monitor, by the CAS that decides to queue, and cleared,
 *       under the monitor, when the queue empties.</li>
 *   <li>Fast paths ({@link #tryAcquire(long)}, {@link #release(long)}) are one CAS on the word
 *       and take no lock; they give up on QUEUED (an acquire must not barge past waiters, a
 *       release must grant them). So while QUEUED is set only the monitor holder writes the
 *       word, and it may use a plain volatile store; while it is clear, every writer CASes.</li>
 *   <li>Ordering: every change of the word is a CAS or a volatile store (release) and every read
 *       a volatile load (acquire), so a release of permits happens-before the acquire that takes
 *       them; a queued waiter is handed its permits under the monitor and completed after it
 *       (the task's result CAS pairs with the waiter's read of the result).</li>
 *   <li>A granted waiter is completed after the monitor is left; until then it may still be
 *       cancelled, and a grant that loses that race goes back ({@link Acquire#refund()}), so
 *       cancelling never loses permits.</li>
 * </ul>
 */
public final class Semaphore {

    /** The most permits a semaphore can hold (what the state word has room for). */
    public static final long MAX_PERMITS = Long.MAX_VALUE >>> 2;

    private static final long CLOSED = 1;
    private static final long QUEUED = 1 << 1;
    private static final int PERMIT_SHIFT = 2;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Semaphore.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // permits << PERMIT_SHIFT | QUEUED | CLOSED; see the notes for who writes it and how.
    private volatile long state;
    final WaitQueue queue = new WaitQueue(); // guarded by this (package-private for the Lincheck test)

    public Semaphore(long permits) {
        if (permits < 0 || permits > MAX_PERMITS) {
            throw new IllegalArgumentException("permits must be in [0, " + MAX_PERMITS + "], got " + permits);
        }
        this.state = permits << PERMIT_SHIFT;
    }

    /**
     * A queued acquire: a task that delivers {@link #value()} once granted. It may be cancelled
     * until it completes; a grant that loses to the cancellation is refunded.
     */
    abstract static class Acquire<T> extends Waiter<T> {
        final Semaphore semaphore;

        Acquire(Semaphore semaphore, long permits) {
            super(semaphore, permits);
            this.semaphore = semaphore;
        }

        /** What a grant delivers; runs after the monitor, on the granting thread. */
        abstract T value();

        /** Completes a waiter granted under the monitor, or gives its permits back. */
        final void deliver() {
            if (!completeValue(value())) {
                refund(); // cancelled after the grant (the result CAS decided): nothing leaks
            }
        }

        /** Gives back the permits of a grant that the cancellation beat. */
        void refund() {
            semaphore.release(amount);
        }

        /**
         * Leaves the queue if still in it (granting those behind it that now fit); then the
         * cancellation CAS decides against a grant in flight ({@link #deliver()} refunds it).
         */
        @Override
        public boolean cancel() {
            Waiter<?> granted = null;
            synchronized (semaphore) {
                if (queued) {
                    WaitQueue.unlink(this);
                    granted = semaphore.grantLocked(semaphore.state); // QUEUED was set: ours to write
                }
            }
            boolean cancelled = completeCancelled();
            deliverAll(granted);
            return cancelled;
        }
    }

    /** A plain acquire: completes with null. */
    private static final class PermitAcquire extends Acquire<Void> {
        PermitAcquire(Semaphore semaphore, long permits) {
            super(semaphore, permits);
        }

        @Override
        Void value() {
            return null;
        }

        /** Granted, and nobody took the permits (a lost race, a cancelled continuation): released. */
        @Override
        protected void handBack(Void none) {
            semaphore.release(amount);
        }
    }

    /** An acquire that took its permits at once: born completed; released if nobody takes them. */
    private static final class Acquired extends AbstractTask<Void> {
        private final Semaphore semaphore;
        private final long permits;

        Acquired(Semaphore semaphore, long permits) {
            super((Void) null);
            this.semaphore = semaphore;
            this.permits = permits;
        }

        @Override
        protected void handBack(Void none) {
            semaphore.release(permits);
        }
    }

    /** One permit: see {@link #acquire(long)}. */
    public Task<Void> acquire() {
        return acquire(1);
    }

    /**
     * A task completing once {@code n} permits are this caller's (release them with
     * {@link #release(long)}); failing with {@link ClosedException} if the semaphore closes
     * first.
     *
     * <p>Cancel-safe: cancelled before it completes, it leaves the queue, or hands back permits
     * granted in the meantime; permits it got that nobody took (it lost a race, its
     * continuation was cancelled) are released.
     */
    public Task<Void> acquire(long n) {
        if (tryAcquire(n)) {
            return new Acquired(this, n);
        }
        PermitAcquire waiter = new PermitAcquire(this, n);
        return acquireOrQueue(waiter) ? new Acquired(this, n) : waiter;
    }

    /**
     * The slow path of an acquire: under the monitor, takes the waiter's permits if they are
     * free and nobody queues, else queues it (or, closed, fails it).
     *
     * @return true when the permits were taken now (the waiter is untouched and unpublished)
     */
    boolean acquireOrQueue(Acquire<?> waiter) {
        long n = waiter.amount;
        synchronized (this) {
            long s = state;
            for (;;) {
                if ((s & CLOSED) != 0) {
                    break;
                }
                if ((s & QUEUED) != 0) {
                    queue.add(waiter); // the word is untouched: QUEUED is already set
                    return false;
                }
                long next = (s >>> PERMIT_SHIFT) >= n ? s - (n << PERMIT_SHIFT) : s | QUEUED;
                long witness = (long) STATE.compareAndExchange(this, s, next); // races fast paths
                if (witness == s) {
                    if ((next & QUEUED) == 0) {
                        return true;
                    }
                    queue.add(waiter);
                    return false;
                }
                s = witness;
            }
        }
        waiter.refuse(new ClosedException("semaphore closed"));
        return false;
    }

    /** Takes {@code n} permits if they are free now and nobody queues before; never waits. */
    public boolean tryAcquire(long n) {
        checkAmount(n);
        long s = state; // acquire: pairs with the CAS or store that put the permits there
        for (;;) {
            if ((s & (CLOSED | QUEUED)) != 0 || (s >>> PERMIT_SHIFT) < n) {
                return false;
            }
            long witness = (long) STATE.compareAndExchange(this, s, s - (n << PERMIT_SHIFT));
            if (witness == s) {
                return true;
            }
            s = witness;
        }
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
        long s = state;
        for (;;) {
            if ((s & QUEUED) != 0) {
                releaseToWaiters(n);
                return;
            }
            long witness = (long) STATE.compareAndExchange(this, s, add(s, n)); // release: pairs with tryAcquire
            if (witness == s) {
                return;
            }
            s = witness;
        }
    }

    private void releaseToWaiters(long n) {
        Waiter<?> granted;
        synchronized (this) {
            long s = state;
            while ((s & QUEUED) == 0) { // emptied meanwhile: back to a plain add (lock-free writers race)
                long witness = (long) STATE.compareAndExchange(this, s, add(s, n));
                if (witness == s) {
                    return;
                }
                s = witness;
            }
            granted = grantLocked(add(s, n));
        }
        deliverAll(granted);
    }

    /**
     * Grants queued waiters in order while they fit in the permits of {@code s}, then stores the
     * word. The caller holds the monitor and QUEUED is set, so only it writes the word.
     *
     * @return the granted waiters, chained through {@code next}, to deliver after the monitor
     */
    private Waiter<?> grantLocked(long s) {
        long permits = s >>> PERMIT_SHIFT;
        Waiter<?> first = null;
        Waiter<?> last = null;
        while (!queue.isEmpty() && queue.peek().amount <= permits) {
            Waiter<?> head = queue.grantHead();
            permits -= head.amount;
            if (last == null) {
                first = head;
            } else {
                last.next = head; // unlinked from the queue: its link is free for this chain
            }
            last = head;
        }
        long flags = (s & CLOSED) | (queue.isEmpty() ? 0 : QUEUED);
        state = permits << PERMIT_SHIFT | flags; // volatile store: release, pairs with fast-path loads
        return first;
    }

    private static void deliverAll(Waiter<?> granted) {
        while (granted != null) { // outside the monitor: waking runs no code under it
            Waiter<?> next = granted.next;
            granted.next = null;
            ((Acquire<?>) granted).deliver();
            granted = next;
        }
    }

    /** Fails every waiter and every later acquire with {@link ClosedException}. */
    public void close() {
        List<Waiter<?>> refused;
        synchronized (this) {
            long s = state;
            for (;;) {
                long witness = (long) STATE.compareAndExchange(this, s, (s | CLOSED) & ~QUEUED);
                if (witness == s) {
                    break;
                }
                s = witness;
            }
            refused = queue.grantAll();
        }
        for (Waiter<?> waiter : refused) {
            waiter.refuse(new ClosedException("semaphore closed"));
        }
    }

    public long availablePermits() {
        return state >>> PERMIT_SHIFT;
    }

    public synchronized int queuedWaiters() {
        return queue.size();
    }

    public boolean isClosed() {
        return (state & CLOSED) != 0;
    }

    private static long add(long s, long n) {
        if (n > MAX_PERMITS - (s >>> PERMIT_SHIFT)) {
            throw new IllegalStateException("releasing " + n + " permits would exceed " + MAX_PERMITS);
        }
        return s + (n << PERMIT_SHIFT);
    }

    private static void checkAmount(long n) {
        if (n < 1 || n > MAX_PERMITS) {
            throw new IllegalArgumentException("permit count must be in [1, " + MAX_PERMITS + "], got " + n);
        }
    }
}
