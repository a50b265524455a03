package io.krill.internal.reactor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Slots ready for a handler driver: an intrusive Treiber stack linked through the slots' ready
 * links, so queueing a connection allocates nothing.
 *
 * <h2>Implementation notes</h2>
 *
 * Any thread pushes (the shard's dispatching worker, an accepting driver); only the driver takes,
 * and it takes everything at once ({@code getAndSet(EMPTY)}), so there is no ABA: a popped
 * index is pushed again only after the driver has cleared its QUEUED flag, and a slot is on the
 * stack at most once (the QUEUED flag, see {@link ConnectionTable}). The pusher writes the link
 * plainly, then publishes it with the CAS on {@code head} (release), which the taker's
 * {@code getAndSet} (acquire) pairs with. The taker reverses the list to serve slots first
 * come, first served.
 */
public final class ReadyStack {

    public static final int EMPTY = -1;

    private static final VarHandle HEAD;

    static {
        try {
            HEAD = MethodHandles.lookup().findVarHandle(ReadyStack.class, "head", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConnectionTable table;
    private volatile int head = EMPTY;

    public ReadyStack(ConnectionTable table) {
        this.table = table;
    }

    /** Pushes a slot the caller just marked QUEUED; true when the stack was empty (wake the driver). */
    public boolean push(int index) {
        for (;;) {
            int h = head;
            table.readyLink(index, h); // plain: published by the CAS below
            if (HEAD.compareAndSet(this, h, index)) {
                return h == EMPTY;
            }
        }
    }

    /** Takes every pushed slot; returns the first in push order, or EMPTY. Walk with {@link #next}. */
    public int takeAll() {
        int top = (int) HEAD.getAndSet(this, EMPTY);
        int reversed = EMPTY;
        while (top != EMPTY) {
            int below = table.readyLink(top);
            table.readyLink(top, reversed);
            reversed = top;
            top = below;
        }
        return reversed;
    }

    /** The slot after {@code index} in a list returned by {@link #takeAll}. Read it before pushing {@code index} again. */
    public int next(int index) {
        return table.readyLink(index);
    }

    public boolean isEmpty() {
        return head == EMPTY;
    }
}
