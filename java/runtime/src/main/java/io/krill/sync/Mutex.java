package io.krill.sync;

import io.krill.Task;
import java.util.Objects;

/**
 * An async mutual-exclusion lock around a value (Tokio's {@code Mutex<T>}), on a one-permit
 * {@link Semaphore}: FIFO, and a cancelled {@code lock()} never takes the lock.
 *
 * <pre>{@code
 * mutex.lock().map(guard -> { try (guard) { guard.set(guard.get() + 1); } return null; });
 * }</pre>
 *
 * @param <T> the guarded value's type
 */
public final class Mutex<T> {

    private final Semaphore semaphore = new Semaphore(1);
    private T value; // only touched by the guard holder: the semaphore's hand-off orders it

    public Mutex(T value) {
        this.value = value;
    }

    /** A task completing with the guard once the lock is this caller's. */
    public Task<Guard<T>> lock() {
        if (semaphore.tryAcquire()) {
            return Task.completed(new Guard<>(this)); // uncontended: no queueing, no hop
        }
        return AcquireTask.of(semaphore.acquire(), () -> new Guard<>(this), guard -> { }, Guard::close);
    }

    /** The guard if the lock is free now, else null. */
    public Guard<T> tryLock() {
        return semaphore.tryAcquire() ? new Guard<>(this) : null;
    }

    public boolean isLocked() {
        return semaphore.availablePermits() == 0;
    }

    /**
     * Holds the lock until {@link #close()}; {@code get}/{@code set} after closing throw.
     *
     * @param <T> the guarded value's type
     */
    public static final class Guard<T> implements AutoCloseable {
        private final Mutex<T> mutex;
        private boolean released;

        private Guard(Mutex<T> mutex) {
            this.mutex = mutex;
        }

        public T get() {
            checkHeld();
            return mutex.value;
        }

        public void set(T value) {
            checkHeld();
            mutex.value = value;
        }

        private void checkHeld() {
            if (released) {
                throw new IllegalStateException("this guard was closed: the lock is no longer held");
            }
        }

        /** Releases the lock; closing twice is harmless. */
        @Override
        public void close() {
            if (!released) {
                released = true;
                mutex.semaphore.release();
            }
        }

        @Override
        public String toString() {
            return "Guard[" + (released ? "released" : Objects.toString(mutex.value)) + "]";
        }
    }
}
