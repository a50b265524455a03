package io.krill.sync;

import io.krill.Task;
import java.util.List;

/**
 * Wakes waiting tasks (Tokio's {@code Notify}): {@link #notifyOne()} wakes the oldest waiter,
 * or stores one permit when nobody waits so the next {@link #notified()} completes at once;
 * {@link #notifyWaiters()} wakes everyone waiting now and stores nothing.
 */
public final class Notify {

    private static final Task<Void> READY = Task.completed(null);

    private final WaitQueue queue = new WaitQueue(); // guarded by this
    private boolean permit;                           // guarded by this

    /** A Notify with no stored permit and nobody waiting. */
    public Notify() {}

    /** A task completing at the next notification (or at once, taking a stored permit). */
    public Task<Void> notified() {
        synchronized (this) {
            if (permit) {
                permit = false;
                return READY;
            }
            Waiter<Void> waiter = new Waiter<>(this, 0);
            queue.add(waiter);
            return waiter;
        }
    }

    public void notifyOne() {
        Waiter<?> woken;
        synchronized (this) {
            if (queue.isEmpty()) {
                permit = true;
                return;
            }
            woken = queue.grantHead();
        }
        woken.grant(null);
    }

    public void notifyWaiters() {
        List<Waiter<?>> woken;
        synchronized (this) {
            woken = queue.grantAll();
        }
        for (Waiter<?> waiter : woken) {
            waiter.grant(null);
        }
    }
}
