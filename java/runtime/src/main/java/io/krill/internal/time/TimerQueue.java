package io.krill.internal.time;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A worker's timers: the wheel, the entries waiting to be inserted at the end of the current
 * step, and the stack of entries other threads cancelled. Owner-thread only, except
 * {@link #cancelled} (any thread) and {@link #publishedDeadlineNanos()}.
 */
public final class TimerQueue {

    /** Nanoseconds per wheel tick. */
    public static final long TICK_NANOS = 1_000_000L;
    /** A deadline that never comes. */
    public static final long NEVER = Long.MAX_VALUE;

    private static final VarHandle CANCELLED_HEAD;

    static {
        try {
            CANCELLED_HEAD = MethodHandles.lookup().findVarHandle(TimerQueue.class, "cancelledHead", TimerEntry.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TimerWheel wheel = new TimerWheel();
    private final Clock clock;
    private TimerEntry[] pending = new TimerEntry[16]; // owner only: inserted at flush
    private int pendingCount;
    private volatile TimerEntry cancelledHead;          // Treiber stack, any thread pushes
    private volatile long publishedDeadlineNanos = NEVER;
    private volatile Thread ownerThread;

    public TimerQueue(Clock clock) {
        this.clock = clock;
    }

    public Clock clock() {
        return clock;
    }

    /** Ticks for a deadline in nanoseconds, rounded up: a timer never fires early. */
    static long tickFor(long deadlineNanos) {
        if (deadlineNanos <= 0) {
            return 0;
        }
        return (deadlineNanos - 1) / TICK_NANOS + 1;
    }

    /**
     * Owner only: schedules {@code entry} for {@code deadlineNanos}. The wheel sees it at the next
     * {@link #flush()}, so a cancel before then costs nothing.
     *
     * @throws IllegalStateException if the entry is still scheduled
     */
    public void schedule(TimerEntry entry, long deadlineNanos) {
        int s = entry.state();
        if (s == TimerEntry.PENDING || s == TimerEntry.IN_WHEEL) {
            throw new IllegalStateException("timer entry is already scheduled");
        }
        if (entry.slotIndex >= 0) {
            if (entry.owner != this) {
                throw new IllegalStateException("timer entry is still linked in another worker's wheel");
            }
            wheel.remove(entry); // cancelled by another thread, not yet unlinked
        }
        entry.owner = this;
        entry.deadlineTick = tickFor(deadlineNanos);
        entry.setState(TimerEntry.PENDING);
        if (pendingCount == pending.length) {
            pending = java.util.Arrays.copyOf(pending, pendingCount * 2);
        }
        pending[pendingCount++] = entry;
    }

    public boolean hasPending() {
        return pendingCount > 0;
    }

    /** Owner only: moves pending entries into the wheel, dropping cancelled ones. */
    public void flush() {
        drainCancelled();
        for (int i = 0; i < pendingCount; i++) {
            TimerEntry entry = pending[i];
            pending[i] = null;
            if (entry.casState(TimerEntry.PENDING, TimerEntry.IN_WHEEL) && !wheel.insert(entry)) {
                entry.fire(); // already due
            }
        }
        pendingCount = 0;
    }

    /** Any thread: an entry it cancelled while in the wheel, for the owner to unlink. */
    void cancelled(TimerEntry entry) {
        if (Thread.currentThread() == ownerThread) {
            wheel.remove(entry);
            return;
        }
        if (!entry.enterCancelStack()) {
            return; // already on the stack: the owner checks its state when it pops it
        }
        for (;;) {
            TimerEntry head = cancelledHead;
            entry.nextCancelled = head;
            if (CANCELLED_HEAD.compareAndSet(this, head, entry)) { // pairs with getAndSet in drainCancelled
                return;
            }
        }
    }

    /** Binds the queue to the thread that owns it (a worker, or a benchmark thread). */
    public void bindOwner(Thread thread) {
        ownerThread = thread;
    }

    private void drainCancelled() {
        if (cancelledHead == null) {
            return;
        }
        TimerEntry entry = (TimerEntry) CANCELLED_HEAD.getAndSet(this, (TimerEntry) null);
        while (entry != null) {
            TimerEntry next = entry.nextCancelled;
            entry.nextCancelled = null;
            entry.leaveCancelStack();
            if (entry.state() == TimerEntry.CANCELLED && entry.slotIndex >= 0) {
                wheel.remove(entry);
            }
            entry = next;
        }
    }

    /**
     * Owner only: inserts pending entries and fires every timer due at the clock's now.
     *
     * @return how many fired
     */
    public int process() {
        flush();
        return wheel.advance(clock.nowNanos() / TICK_NANOS);
    }

    /** Owner only: nanoseconds (runtime time) of the next expiration, or {@link #NEVER}. */
    public long nextDeadlineNanos() {
        long tick = wheel.nextExpirationTick();
        return tick == Long.MAX_VALUE ? NEVER : tick * TICK_NANOS;
    }

    /** Owner only: publishes the next deadline for idle workers deciding to auto-advance. */
    public long publishNextDeadline() {
        long next = nextDeadlineNanos();
        publishedDeadlineNanos = next;
        return next;
    }

    public long publishedDeadlineNanos() {
        return publishedDeadlineNanos;
    }

    /** Owner only: true when the wheel holds nothing, bitmaps included (leak tests). */
    boolean wheelIsEmpty() {
        return wheel.isEmpty();
    }

    /** Entries linked in the wheel (owner only; for tests and metrics). */
    public int size() {
        return wheel.size();
    }
}
