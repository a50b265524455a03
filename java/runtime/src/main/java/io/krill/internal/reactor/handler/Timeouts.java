package io.krill.internal.reactor.handler;

import io.krill.Task;
import io.krill.internal.reactor.SlotView;
import io.krill.time.Time;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The read and idle timeouts of one driver's connections, by slot index: the two limits, the
 * times of the last read and the last write, and each connection's next check in one
 * {@link DeadlineHeap}. Made on the first timeout a connection of the driver sets, so a server
 * that uses none pays nothing; then 64 bytes of primitive arrays per slot index up to the
 * highest one that set a timeout (the 64-byte slot has no room for them), and no object per
 * connection: the driver keeps one runtime timer, armed for the earliest check.
 *
 * <p>Timeouts fire lazily, as Netty's idle handler does: a connection's check is due at its
 * nearer deadline as it stood when the check was scheduled; at the check, a connection that was
 * active meanwhile is scheduled again for the rest. A busy connection so costs one check per
 * limit, not one per read, and a read is two stores. A limit set with a deadline before the
 * scheduled check (a read timeout after a longer idle one) moves the check earlier.
 *
 * <p>The driver's timer: when the earliest check moves before the armed timer (or none is
 * armed), the timer is cancelled and armed again for it; when it fires, its continuation (on
 * whichever worker holds it) tells the driver ({@link ShardDriver#timeoutsDue()}), which runs
 * the due checks in its next step and arms the timer for the next one. One superseded timer
 * that fires anyway only makes the driver look at an early heap, which is harmless. Was one
 * timer, a sleep and a continuation per connection (#12: 15,000 idle connections each held
 * three objects, copied by every young collection).
 *
 * <p>Driver thread only, but the timer's continuation, which only signals the driver.
 */
final class Timeouts {

    /** What {@link #check} found. */
    static final int NONE = 0;
    static final int READ = 1;
    static final int IDLE = 2;

    private final ShardDriver driver;
    private final DeadlineHeap checks = new DeadlineHeap(64);
    // 0 in a limit: that timeout is off for this index.
    private long[] readLimitNanos = new long[64];
    private long[] idleLimitNanos = new long[64];
    private long[] lastReadNanos = new long[64];
    private long[] lastWriteNanos = new long[64];
    /** The token of the connection whose check an index holds: a closed one's check is dropped. */
    private long[] tokens = new long[64];
    /** The driver's timer, or null; and the time it was armed for. */
    private Task<Void> timer;
    private long timerAt;
    private final Function<Void, Void> onTimer;

    Timeouts(ShardDriver driver) {
        this.driver = driver;
        this.onTimer = ignored -> {
            driver.timeoutsDue();
            return null;
        };
    }

    /** The limit of {@code timeout} (0: off), or an exception naming the bad value. */
    static long limitOf(java.time.Duration timeout, String what) {
        if (timeout == null || timeout.isZero()) {
            return 0;
        }
        if (timeout.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, got " + timeout + " (null turns it off)");
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 4; // centuries: never, without overflowing the deadline arithmetic
        }
    }

    /** Sets (0 clears) one limit ({@link #READ} or {@link #IDLE}) of the bound connection, counting from now. */
    void set(SlotView slot, int kind, long limit) {
        int index = slot.index();
        if (index >= tokens.length) {
            int size = Math.max(tokens.length * 2, index + 1);
            readLimitNanos = Arrays.copyOf(readLimitNanos, size);
            idleLimitNanos = Arrays.copyOf(idleLimitNanos, size);
            lastReadNanos = Arrays.copyOf(lastReadNanos, size);
            lastWriteNanos = Arrays.copyOf(lastWriteNanos, size);
            tokens = Arrays.copyOf(tokens, size);
        }
        long now = Time.nanoTime();
        if (readLimitNanos[index] == 0 && idleLimitNanos[index] == 0) {
            lastReadNanos[index] = now; // a fresh start: nothing counted for an earlier user of the index
            lastWriteNanos[index] = now;
        }
        (kind == READ ? readLimitNanos : idleLimitNanos)[index] = limit;
        if (kind == READ) {
            lastReadNanos[index] = now;
        } else {
            lastWriteNanos[index] = now;
        }
        long left = remaining(index, now);
        if (left == Long.MAX_VALUE) {
            checks.remove(index); // both off
            return;
        }
        long at = now + left;
        if (!checks.contains(index) || tokens[index] != slot.token() || at - checks.deadlineOf(index) < 0) {
            tokens[index] = slot.token();
            checks.set(index, at); // none scheduled for this connection, or it comes too late
            arm();
        }
    }

    /** The bound connection read now. */
    void read(SlotView slot) {
        int index = slot.index();
        if (index < tokens.length && (readLimitNanos[index] | idleLimitNanos[index]) != 0) {
            lastReadNanos[index] = Time.nanoTime();
        }
    }

    /** The bound connection wrote now. */
    void wrote(SlotView slot) {
        int index = slot.index();
        if (index < tokens.length && idleLimitNanos[index] != 0) {
            lastWriteNanos[index] = Time.nanoTime();
        }
    }

    /** Nanoseconds to the nearer deadline of {@code index} (0 or less: passed), MAX_VALUE with none set. */
    private long remaining(int index, long now) {
        long left = Long.MAX_VALUE;
        if (readLimitNanos[index] != 0) {
            left = lastReadNanos[index] + readLimitNanos[index] - now;
        }
        if (idleLimitNanos[index] != 0) {
            left = Math.min(left, Math.max(lastReadNanos[index], lastWriteNanos[index]) + idleLimitNanos[index] - now);
        }
        return left;
    }

    /** The index of a check due at {@code now}, or {@link DeadlineHeap#NONE}; the caller binds it and calls {@link #check}. */
    int due(long now) {
        int index = checks.peek();
        return index != DeadlineHeap.NONE && checks.deadlineOf(index) - now <= 0 ? index : DeadlineHeap.NONE;
    }

    /** The token of the connection whose check index {@code index} holds. */
    long tokenOf(int index) {
        return tokens[index];
    }

    /** Drops the due check of an index whose connection has closed. */
    void drop(int index) {
        checks.remove(index);
    }

    /**
     * The due check of the bound connection: {@link #READ} or {@link #IDLE} when that limit
     * passed (the caller closes it); else {@link #NONE}, scheduled again for the rest.
     */
    int check(SlotView slot, long now) {
        int index = slot.index();
        checks.remove(index);
        if (readLimitNanos[index] != 0 && lastReadNanos[index] + readLimitNanos[index] - now <= 0) {
            return READ;
        }
        if (idleLimitNanos[index] != 0
                && Math.max(lastReadNanos[index], lastWriteNanos[index]) + idleLimitNanos[index] - now <= 0) {
            return IDLE;
        }
        long left = remaining(index, now);
        if (left != Long.MAX_VALUE) {
            checks.set(index, now + left);
        }
        return NONE;
    }

    long limitMillis(SlotView slot, int kind) {
        return java.time.Duration.ofNanos((kind == READ ? readLimitNanos : idleLimitNanos)[slot.index()]).toMillis();
    }

    /** The bound connection closes: its index may serve another. */
    void clear(SlotView slot) {
        int index = slot.index();
        if (index < tokens.length) {
            readLimitNanos[index] = 0;
            idleLimitNanos[index] = 0;
            checks.remove(index);
        }
    }

    /** Checks scheduled (one per connection with a timeout): for tests. */
    int scheduled() {
        return checks.size();
    }

    /**
     * Makes sure the driver's timer fires no later than the earliest check: keeps an armed one
     * that does, else cancels it and arms one that does. After the driver's due checks too.
     */
    void arm() {
        int first = checks.peek();
        if (first == DeadlineHeap.NONE) {
            return; // an armed timer fires into an empty heap: one look, no harm
        }
        long at = checks.deadlineOf(first);
        Task<Void> armed = timer;
        if (armed != null && !armed.isDone() && timerAt - at <= 0) {
            return;
        }
        if (armed != null) {
            armed.cancel(); // superseded (or done: then this does nothing)
        }
        timerAt = at;
        timer = Time.sleepUntil(at).map(onTimer);
    }

    /** The driver closes: its timer goes. */
    void close() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }
}
