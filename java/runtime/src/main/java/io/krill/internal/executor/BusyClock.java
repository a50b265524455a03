package io.krill.internal.executor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * How long a worker has been busy (awake: running tasks, polling its reactor, searching) as
 * opposed to parked. The worker stamps the clock only when it parks and when it wakes, never
 * per task, so it costs one {@code System.nanoTime()} per park besides the one the park loop
 * already reads; any thread may read it at any time.
 *
 * <h2>Implementation notes</h2>
 *
 * <p>One word holds everything a reader needs, so a reader never sees half a transition:
 *
 * <pre>
 * word: |   base (signed)  | running |
 *       |      63 bits     |  1 bit  |
 *
 * parked:  busy = base                 (the busy nanoseconds up to the park)
 * running: busy = nowNanos - base      (base = the wake time less the busy time before it)
 * </pre>
 *
 * <p>The owner writes the word with a release store, after the {@code nanoTime} it is computed
 * from. A reader reads its own clock first, then loads the word with acquire (pairs with
 * {@link #pause}'s and {@link #resume}'s {@code setRelease}), so that its answer is never more
 * than the worker's real busy time: a paused word holds a busy time of the past; a running one,
 * stored at a wake that came before the reader's clock, gives the exact busy time at that clock;
 * one stored at a wake after it (the reader was held up between its clock and its load) gives
 * less than the busy time at the last pause. A counter must never go down (Prometheus takes a
 * decrease for a restart), so readers also keep the most they answered ({@code reportedNanos},
 * raised by CAS, written by readers only) and never answer less; every answer is still a busy
 * time the worker really had, at the reader's clock or before. {@code System.nanoTime()} on
 * Linux is {@code CLOCK_MONOTONIC} (time since boot), far inside 62 bits, so a base survives the
 * shift. The owner keeps its own copy of the last busy total ({@code busyAtPauseNanos}, plain:
 * only it reads it).
 */
final class BusyClock {

    private static final VarHandle WORD;
    private static final VarHandle REPORTED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            WORD = lookup.findVarHandle(BusyClock.class, "word", long.class);
            REPORTED = lookup.findVarHandle(BusyClock.class, "reportedNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final long RUNNING = 1L;

    /** See the notes: written by the owner (release), read by anyone (acquire). Starts parked at 0 ns. */
    private long word;
    /** Busy nanoseconds at the last pause; the owner's only. */
    private long busyAtPauseNanos;
    /** The most any reader answered; raised by CAS, by readers only (see the notes). */
    private volatile long reportedNanos;

    /** Owner: the worker woke (or started) at {@code nowNanos}; nothing changes when it is running already. */
    void resume(long nowNanos) {
        if (((long) WORD.get(this) & RUNNING) != 0) { // plain: only this thread writes it
            return;
        }
        WORD.setRelease(this, ((nowNanos - busyAtPauseNanos) << 1) | RUNNING); // pairs with busyNanos' getAcquire
    }

    /** Owner: the worker parks (or ends) at {@code nowNanos}; nothing is counted until {@link #resume}. */
    void pause(long nowNanos) {
        long w = (long) WORD.get(this); // plain: only this thread writes it
        if ((w & RUNNING) == 0) {
            return; // already paused
        }
        busyAtPauseNanos = nowNanos - (w >> 1);
        WORD.setRelease(this, busyAtPauseNanos << 1); // pairs with busyNanos' getAcquire
    }

    /** Busy nanoseconds so far, never less than an earlier answer; any thread. */
    long busyNanos() {
        // Before the word: see the notes. (Loads are not moved above the clock's call in
        // practice; were one moved, the answer could run ahead by that window, and the
        // high-water mark below would still keep it from going backwards.)
        long nowNanos = System.nanoTime();
        long w = (long) WORD.getAcquire(this); // pairs with the owner's setRelease
        long busy = (w & RUNNING) == 0 ? w >> 1 : nowNanos - (w >> 1);
        for (;;) {
            long reported = reportedNanos;
            if (busy <= reported) {
                return reported;
            }
            if (REPORTED.compareAndSet(this, reported, busy)) {
                return busy;
            }
        }
    }
}
