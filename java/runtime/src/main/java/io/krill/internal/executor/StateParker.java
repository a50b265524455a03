package io.krill.internal.executor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The state machine every {@link Parker} shares: EMPTY, PARKED, NOTIFIED in one word. An
 * unpark swaps in NOTIFIED and pays for a real wake-up ({@link #wakeSleeper()}) only when it saw
 * PARKED; an unpark that comes first makes the next park return at once. Subclasses say how to
 * sleep and how to wake the sleeper.
 */
public abstract class StateParker implements Parker {

    private static final int EMPTY = 0;
    private static final int PARKED = 1;
    private static final int NOTIFIED = 2;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(StateParker.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state;

    /** Sleeps until woken, the timeout (negative: none) or spuriously. The owner thread only. */
    protected abstract void sleep(long timeoutNanos);

    /** Wakes the thread sleeping in {@link #sleep}; called only by an unpark that saw it parked. */
    protected abstract void wakeSleeper();

    @Override
    public final void park(long timeoutNanos) {
        if (STATE.compareAndSet(this, NOTIFIED, EMPTY)) {
            return; // an unpark came first
        }
        if (!STATE.compareAndSet(this, EMPTY, PARKED)) {
            STATE.set(this, EMPTY); // NOTIFIED arrived between the two CASes: consume it
            return;
        }
        try {
            sleep(timeoutNanos);
        } finally {
            // Woken, timed out, spurious, or a waker dispatched from the sleep threw: leave
            // PARKED; an unpark racing in is consumed with it (its wake-up was delivered to the
            // sleep above, or finds it awake: harmless).
            STATE.set(this, EMPTY);
        }
    }

    @Override
    public final void unpark() {
        if ((int) STATE.getAndSet(this, NOTIFIED) == PARKED) {
            wakeSleeper();
        }
    }
}
