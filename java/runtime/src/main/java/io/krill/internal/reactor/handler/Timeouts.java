package io.krill.internal.reactor.handler;

import io.krill.Task;
import io.krill.internal.reactor.SlotView;
import io.krill.net.SendResult;
import io.krill.time.Time;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The read and idle timeouts of one driver's connections, by slot index: the two limits, the
 * times of the last read and the last write, and the timer in flight. Made on
 * the first timeout a connection of the driver sets, so a server that uses none pays nothing;
 * then 36 to 40 bytes per slot index up to the highest one that set a timeout (the 64-byte slot
 * has no room for a timer link).
 *
 * <p>Timeouts fire lazily, as Netty's idle handler does: one timer per connection armed for the
 * nearer limit; when it fires (its check reaches the driver through the shard's ring, retried
 * if the ring is full so that no check is lost), a connection that was active meanwhile is
 * re-armed for the rest. A busy connection so costs one timer per limit, not one per read.
 * A limit set with a deadline before the armed timer's (a read timeout after a longer idle
 * one) arms a timer of its own and cancels the one it supersedes (which, should it fire
 * anyway, finds itself stale and does nothing), so each index has one current timer, named by
 * its {@link Timer} object.
 * Driver thread only, but the timers' continuations, which only submit.
 */
final class Timeouts {

    /** What {@link #expired} found. */
    static final int NONE = 0;
    static final int READ = 1;
    static final int IDLE = 2;

    /** A timer that found the ring full tries again after this (guess). */
    private static final Duration RETRY = Duration.ofMillis(1);

    private final HandlerServer server;
    // 0 in a limit: that timeout is off for this index.
    private long[] readLimitNanos = new long[64];
    private long[] idleLimitNanos = new long[64];
    private long[] lastReadNanos = new long[64];
    private long[] lastWriteNanos = new long[64];
    /** The current timer of this index, or null: a firing timer that is not this one is stale. */
    private Timer[] armed = new Timer[64];

    Timeouts(HandlerServer server) {
        this.server = server;
    }

    /** The limit of {@code timeout} (0: off), or an exception naming the bad value. */
    static long limitOf(Duration timeout, String what) {
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
        if (index >= armed.length) {
            int size = Math.max(armed.length * 2, index + 1);
            readLimitNanos = Arrays.copyOf(readLimitNanos, size);
            idleLimitNanos = Arrays.copyOf(idleLimitNanos, size);
            lastReadNanos = Arrays.copyOf(lastReadNanos, size);
            lastWriteNanos = Arrays.copyOf(lastWriteNanos, size);
            armed = Arrays.copyOf(armed, size);
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
        Timer current = armed[index];
        if (left != Long.MAX_VALUE
                && (current == null || current.token != slot.token() || now + left - current.deadlineNanos < 0)) {
            arm(index, slot.token(), now, left); // none in flight for this connection, or it fires too late
        }
    }

    /** The bound connection read now. */
    void read(SlotView slot) {
        int index = slot.index();
        if (index < armed.length && (readLimitNanos[index] | idleLimitNanos[index]) != 0) {
            lastReadNanos[index] = Time.nanoTime();
        }
    }

    /** The bound connection wrote now. */
    void wrote(SlotView slot) {
        int index = slot.index();
        if (index < armed.length && idleLimitNanos[index] != 0) {
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

    /**
     * {@code timer} fired for the bound connection: {@link #READ} or {@link #IDLE} when that
     * limit passed (the caller closes it); else {@link #NONE}, re-armed for the rest, or dropped
     * when stale (another registration's, or superseded by a nearer one) or off.
     */
    int expired(SlotView slot, Timer timer) {
        int index = slot.index();
        if (index >= armed.length || armed[index] != timer) {
            return NONE; // another registration's, or superseded
        }
        armed[index] = null;
        long now = Time.nanoTime();
        if (readLimitNanos[index] != 0 && lastReadNanos[index] + readLimitNanos[index] - now <= 0) {
            return READ;
        }
        if (idleLimitNanos[index] != 0
                && Math.max(lastReadNanos[index], lastWriteNanos[index]) + idleLimitNanos[index] - now <= 0) {
            return IDLE;
        }
        long left = remaining(index, now);
        if (left != Long.MAX_VALUE) {
            arm(index, slot.token(), now, left);
        }
        return NONE;
    }

    long limitMillis(SlotView slot, int kind) {
        return Duration.ofNanos((kind == READ ? readLimitNanos : idleLimitNanos)[slot.index()]).toMillis();
    }

    /** The bound connection closes: its index may serve another. */
    void clear(SlotView slot) {
        int index = slot.index();
        if (index < armed.length) {
            readLimitNanos[index] = 0;
            idleLimitNanos[index] = 0;
            disarm(index);
        }
    }

    /** Cancels the index's current timer, if any: its sleep leaves the wheel (should it fire anyway, it is stale). */
    private void disarm(int index) {
        Timer current = armed[index];
        if (current != null) {
            armed[index] = null;
            if (current.pending != null) {
                current.pending.cancel();
            }
        }
    }

    /** In {@code delayNanos}, has the driver check {@code token}: the index's current timer from now. */
    private void arm(int index, long token, long now, long delayNanos) {
        disarm(index); // a superseded timer
        Timer timer = new Timer(server, token, now + delayNanos);
        armed[index] = timer;
        timer.pending = Time.sleep(Duration.ofNanos(Math.max(0, delayNanos))).map(timer);
    }

    /**
     * One armed timer: when its sleep ends (on a worker) it submits its check, itself as the
     * attachment, so that {@link #expired} can tell the current timer from a superseded one.
     */
    static final class Timer implements Function<Void, Void> {
        private final HandlerServer server;
        final long token;
        /** When it was armed to fire; the driver compares deadlines to know whether a nearer limit needs its own. */
        final long deadlineNanos;
        /** Its sleep and the check after it, to cancel when superseded; driver thread only (the worker's apply never reads it). */
        Task<Void> pending;

        Timer(HandlerServer server, long token, long deadlineNanos) {
            this.server = server;
            this.token = token;
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public Void apply(Void ignored) {
            if (server.submitTimer(token, this) == SendResult.BACKPRESSURE) {
                Time.sleep(RETRY).map(this); // the ring is full: the check must not be lost
            }
            return null;
        }
    }
}
