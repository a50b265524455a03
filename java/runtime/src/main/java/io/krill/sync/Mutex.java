package io.krill.sync;

import io.krill.Task;
import io.krill.internal.task.AbstractTask;
import java.util.Objects;

/**
 * An async mutual-exclusion lock around a value (Tokio's {@code Mutex<T>}), on a one-permit
 * {@link Semaphore}: FIFO, and a cancelled {@code lock()} never takes the lock.
 *
 * <pre>{@code
 * mutex.lock().map(guard -> { try (guard) { guard.set(guard.get() + 1); } return null; });
 * }</pre>
 *
 * <p>Uncontended, {@link #lock()} is one CAS and one object: the guard, which is its own
 * completed task (so a caller that does not keep it allocates nothing once inlined). A guard is
 * never reused: each holding of the lock has its own, so a stale guard fails instead of reaching
 * the value while someone else holds it.
 *
 * @param <T> the guarded value's type
 */
public final class Mutex<T> {

    private final Semaphore semaphore = new Semaphore(1);
    private T value; // only touched by the guard holder: the semaphore's hand-off orders it

    public Mutex(T value) {
        this.value = value;
    }

    /**
     * A task completing with the guard once the lock is this caller's.
     *
     * <p>Cancel-safe: cancelled while it waits, it leaves the queue; a guard granted as it was
     * given up on is delivered by a timeout, and closed (the lock released) when a race or a
     * cancelled continuation drops it, so the lock is never lost.
     */
    public Task<Guard<T>> lock() {
        if (semaphore.tryAcquire(1)) {
            return new Held<>(this); // uncontended: no queueing, no hop, no second object
        }
        Semaphore.Acquire<Guard<T>> waiter = new Semaphore.Acquire<>(semaphore, 1) {
            @Override
            Guard<T> value() {
                return new Held<>(Mutex.this);
            }
        };
        return semaphore.acquireOrQueue(waiter) ? new Held<>(this) : waiter;
    }

    /** The guard if the lock is free now, else null. */
    public Guard<T> tryLock() {
        return semaphore.tryAcquire(1) ? new Held<>(this) : null;
    }

    public boolean isLocked() {
        return semaphore.availablePermits() == 0;
    }

    /**
     * Holds the lock until {@link #close()}; {@code get}/{@code set} after closing throw.
     *
     * @param <T> the guarded value's type
     */
    public sealed interface Guard<T> extends AutoCloseable permits Held {

        T get();

        void set(T value);

        /** Releases the lock; closing twice is harmless. */
        @Override
        void close();
    }

    /**
     * A guard that is also its own completed task ({@code Task<Guard<T>>} with itself as the
     * result), so the uncontended {@code lock()} makes one object. Born holding the lock: it is
     * made only once the permit is taken, and completed before anyone can see it.
     */
    private static final class Held<T> extends AbstractTask<Guard<T>> implements Guard<T> {
        // Null once closed (no separate flag: the guard stays at 24 bytes). Plain: only the
        // holder touches it, one owner at a time, published to it with the task.
        private Mutex<T> mutex;

        @SuppressWarnings("this-escape") // completeUnpublished only stores 'this' into our own fields
        Held(Mutex<T> mutex) {
            this.mutex = mutex;
            completeUnpublished(this);
        }

        @Override
        public T get() {
            return held().value;
        }

        @Override
        public void set(T value) {
            held().value = value;
        }

        private Mutex<T> held() {
            Mutex<T> held = mutex;
            if (held == null) {
                throw new IllegalStateException("this guard was closed: the lock is no longer held");
            }
            return held;
        }

        @Override
        public void close() {
            Mutex<T> held = mutex;
            if (held != null) {
                mutex = null;
                held.semaphore.release(1);
            }
        }

        @Override
        public String toString() {
            Mutex<T> held = mutex;
            return "Guard[" + (held == null ? "released" : Objects.toString(held.value)) + "]";
        }
    }
}
