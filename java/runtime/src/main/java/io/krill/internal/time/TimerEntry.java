package io.krill.internal.time;

import io.krill.internal.task.Waker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One timer: a deadline, a waker, and its links in the wheel. Reusable: once fired or
 * cancelled, its owner may schedule it again.
 *
 * <pre>
 * state: IDLE → PENDING (queued for insertion, owner) → IN_WHEEL (owner)
 *        PENDING | IN_WHEEL → FIRED (owner, CAS)  or  → CANCELLED (any thread, CAS)
 * </pre>
 */
public final class TimerEntry {

    static final int IDLE = 0;
    static final int PENDING = 1;
    static final int IN_WHEEL = 2;
    static final int FIRED = 3;
    static final int CANCELLED = 4;

    private static final VarHandle STATE;
    private static final VarHandle IN_CANCEL_STACK;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(TimerEntry.class, "state", int.class);
            IN_CANCEL_STACK = MethodHandles.lookup().findVarHandle(TimerEntry.class, "inCancelStack", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Waker waker;
    private volatile int state;

    // Owner-thread fields (plain): only the owning worker reads or writes them.
    long deadlineTick;
    TimerEntry prev;
    TimerEntry next;
    int slotIndex = -1; // level * 64 + slot while linked in the wheel, else -1
    TimerQueue owner;

    /** Link in the owner's cancel stack; written before the CAS that publishes it. */
    TimerEntry nextCancelled;
    /** 1 while on the owner's cancel stack, so it is never pushed twice (a second push would cut the chain). */
    private volatile int inCancelStack;

    /** Claims the right to push this entry on the cancel stack. */
    boolean enterCancelStack() {
        return IN_CANCEL_STACK.compareAndSet(this, 0, 1);
    }

    /** The owner popped it: it may be pushed again. */
    void leaveCancelStack() {
        inCancelStack = 0;
    }

    public TimerEntry(Waker waker) {
        this.waker = waker;
    }

    int state() {
        return state;
    }

    boolean casState(int expected, int next) {
        return STATE.compareAndSet(this, expected, next);
    }

    void setState(int next) {
        state = next;
    }

    /** Owner only: fires the entry if it is still in the wheel. */
    void fire() {
        if (STATE.compareAndSet(this, IN_WHEEL, FIRED)) {
            waker.wake();
        }
    }

    /**
     * Cancels the timer from any thread.
     *
     * @return true if this call cancelled it (it had not fired and was not cancelled)
     */
    public boolean cancel() {
        for (;;) {
            int s = state;
            if (s != PENDING && s != IN_WHEEL) {
                return false;
            }
            if (STATE.compareAndSet(this, s, CANCELLED)) {
                if (s == IN_WHEEL) {
                    owner.cancelled(this);
                }
                return true; // a PENDING entry is dropped when the owner flushes insertions
            }
        }
    }

    public boolean isFired() {
        return state == FIRED;
    }
}
