package io.krill.internal.executor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link Parker} on {@link LockSupport}: a state word (EMPTY, PARKED, NOTIFIED) makes unpark
 * cheap when nobody sleeps (no syscall) and never lost when it comes first.
 */
final class ThreadParker implements Parker {

    private static final int EMPTY = 0;
    private static final int PARKED = 1;
    private static final int NOTIFIED = 2;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ThreadParker.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state;
    private volatile Thread owner; // set once by the worker before its first park

    void bind(Thread thread) {
        owner = thread;
    }

    @Override
    public void park(long timeoutNanos) {
        if (STATE.compareAndSet(this, NOTIFIED, EMPTY)) {
            return; // an unpark came first
        }
        if (!STATE.compareAndSet(this, EMPTY, PARKED)) {
            STATE.set(this, EMPTY); // NOTIFIED arrived between the two CASes: consume it
            return;
        }
        if (timeoutNanos < 0) {
            do {
                LockSupport.park(this);
            } while (!STATE.compareAndSet(this, NOTIFIED, EMPTY)); // still PARKED: spurious
            return;
        }
        if (timeoutNanos > 0) {
            LockSupport.parkNanos(this, timeoutNanos);
        }
        // Timed out, woken, or spurious: leave PARKED either way; consume a racing unpark.
        if (!STATE.compareAndSet(this, PARKED, EMPTY)) {
            STATE.set(this, EMPTY);
        }
    }

    @Override
    public void unpark() {
        if ((int) STATE.getAndSet(this, NOTIFIED) == PARKED) {
            LockSupport.unpark(owner);
        }
    }
}
