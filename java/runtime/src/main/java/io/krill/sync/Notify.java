package io.krill.sync;

import io.krill.Task;
import io.krill.internal.task.AbstractTask;
import java.util.List;

/**
 * Wakes waiting tasks (Tokio's {@code Notify}): {@link #notifyOne()} wakes the oldest waiter,
 * or stores one permit when nobody waits so the next {@link #notified()} completes at once;
 * {@link #notifyWaiters()} wakes everyone waiting now and stores nothing.
 */
public final class Notify {

    private final WaitQueue queue = new WaitQueue(); // guarded by this
    private boolean permit;                           // guarded by this

    /** A Notify with no stored permit and nobody waiting. */
    public Notify() {}

    /**
     * A task completing at the next notification (or at once, taking a stored permit).
     *
     * <p>Cancel-safe: cancelled before it is notified, it leaves the queue and takes nothing; a
     * {@link #notifyOne()} it got but nobody took (it lost a race, or its continuation was
     * cancelled) is passed on, to the next waiter or stored as the permit, as Tokio's
     * {@code Notified} does when dropped.
     */
    public Task<Void> notified() {
        synchronized (this) {
            if (permit) {
                permit = false;
                return new PermitTaken(this);
            }
            NotifyWaiter waiter = new NotifyWaiter(this);
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
            ((NotifyWaiter) woken).byNotifyOne = true;
        }
        woken.grant(null);
    }

    /** A waiter; one woken by {@link #notifyOne()} passes the notification on if nobody takes it. */
    private static final class NotifyWaiter extends Waiter<Void> {
        private final Notify notify;
        boolean byNotifyOne; // written under the lock, before the grant that publishes it

        NotifyWaiter(Notify notify) {
            super(notify, 0);
            this.notify = notify;
        }

        @Override
        protected void handBack(Void none) {
            if (byNotifyOne) {
                notify.notifyOne();
            }
        }
    }

    /** The stored permit, taken: born completed, and stored again if nobody takes it. */
    private static final class PermitTaken extends AbstractTask<Void> {
        private final Notify notify;

        PermitTaken(Notify notify) {
            super((Void) null);
            this.notify = notify;
        }

        @Override
        protected void handBack(Void none) {
            notify.notifyOne();
        }
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
