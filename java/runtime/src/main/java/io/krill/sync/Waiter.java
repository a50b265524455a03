package io.krill.sync;

import io.krill.internal.task.AbstractTask;

/**
 * A queued waiter: a task that completes when granted, and an intrusive link in its queue.
 * Linking, granting and cancelling happen under the owning primitive's lock ({@code lock}).
 */
class Waiter<T> extends AbstractTask<T> {

    final Object lock;
    final long amount;   // permits wanted (Semaphore), or unused
    Waiter<?> prev;      // guarded by lock
    Waiter<?> next;      // guarded by lock; once granted (unlinked), may chain the granter's deliveries
    boolean queued;      // guarded by lock
    boolean granted;     // guarded by lock
    WaitQueue queue;     // guarded by lock: the queue it is in while queued

    Waiter(Object lock, long amount) {
        this.lock = lock;
        this.amount = amount;
    }

    /** Completes a waiter granted under the lock; called after releasing it. */
    final void grant(T value) {
        completeValue(value);
    }

    /** Completes a granted waiter whose value does not matter (a signal). */
    void grantVoid() {
        completeValue(null);
    }

    final void refuse(Throwable failure) {
        completeFailure(failure);
    }

    /** Completes this waiter as cancelled (for subclasses that unlinked it themselves). */
    final boolean completeCancelled() {
        return super.cancel();
    }

    @Override
    public boolean cancel() {
        synchronized (lock) {
            if (granted || !queued) {
                return false; // granted: the permit or message is the waiter's; too late to cancel
            }
            WaitQueue.unlink(this);
        }
        return super.cancel();
    }
}
