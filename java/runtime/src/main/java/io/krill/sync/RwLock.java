package io.krill.sync;

import io.krill.Task;

/**
 * An async readers-writer lock (Tokio's design): a FIFO {@link Semaphore} of
 * {@value #MAX_READERS} permits, a reader takes one, a writer all of them. A queued writer
 * therefore holds back the readers behind it: writer-preferring, and no writer starves.
 *
 * @param <T> the guarded value's type
 */
public final class RwLock<T> {

    /** Concurrent readers at most (Tokio uses a similar bound). */
    static final int MAX_READERS = 1 << 29;

    final Semaphore semaphore = new Semaphore(MAX_READERS); // package-private: the stress tests report its permits
    private T value; // read under a read permit, written under all of them: the semaphore orders it

    public RwLock(T value) {
        this.value = value;
    }

    /**
     * A task completing with a read guard once no writer holds or waits for the lock.
     * Cancel-safe as {@link Mutex#lock()}: a guard nobody takes is closed.
     */
    public Task<ReadGuard<T>> read() {
        if (semaphore.tryAcquire(1)) {
            return Task.completed(new ReadGuard<>(this));
        }
        Semaphore.Acquire<ReadGuard<T>> waiter = new Semaphore.Acquire<>(semaphore, 1) {
            @Override
            ReadGuard<T> value() {
                return new ReadGuard<>(RwLock.this);
            }
        };
        return semaphore.acquireOrQueue(waiter) ? Task.completed(new ReadGuard<>(this)) : waiter;
    }

    /**
     * A task completing with the write guard once nobody else holds the lock. Cancel-safe as
     * {@link Mutex#lock()}: a guard nobody takes is closed.
     */
    public Task<WriteGuard<T>> write() {
        if (semaphore.tryAcquire(MAX_READERS)) {
            return Task.completed(new WriteGuard<>(this));
        }
        Semaphore.Acquire<WriteGuard<T>> waiter = new Semaphore.Acquire<>(semaphore, MAX_READERS) {
            @Override
            WriteGuard<T> value() {
                return new WriteGuard<>(RwLock.this);
            }
        };
        return semaphore.acquireOrQueue(waiter) ? Task.completed(new WriteGuard<>(this)) : waiter;
    }

    public ReadGuard<T> tryRead() {
        return semaphore.tryAcquire(1) ? new ReadGuard<>(this) : null;
    }

    public WriteGuard<T> tryWrite() {
        return semaphore.tryAcquire(MAX_READERS) ? new WriteGuard<>(this) : null;
    }

    /** Shared access until closed. */
    public static final class ReadGuard<T> implements AutoCloseable {
        private final RwLock<T> lock;
        private boolean released;

        private ReadGuard(RwLock<T> lock) {
            this.lock = lock;
        }

        public T get() {
            if (released) {
                throw new IllegalStateException("this read guard was closed");
            }
            return lock.value;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                lock.semaphore.release(1);
            }
        }
    }

    /** Exclusive access until closed. */
    public static final class WriteGuard<T> implements AutoCloseable {
        private final RwLock<T> lock;
        private boolean released;

        private WriteGuard(RwLock<T> lock) {
            this.lock = lock;
        }

        public T get() {
            check();
            return lock.value;
        }

        public void set(T value) {
            check();
            lock.value = value;
        }

        private void check() {
            if (released) {
                throw new IllegalStateException("this write guard was closed");
            }
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                lock.semaphore.release(MAX_READERS);
            }
        }
    }
}
