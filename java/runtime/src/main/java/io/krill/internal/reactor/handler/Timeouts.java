package io.krill.internal.reactor.handler;

import io.krill.internal.reactor.SlotView;
import io.krill.net.SendResult;
import io.krill.time.Time;
import java.time.Duration;
import java.util.Arrays;

/**
 * The read and idle timeouts of one driver's connections, by slot index: the two limits, the
 * times of the last read and the last write, and the token whose timer is in flight. Made on
 * the first timeout a connection of the driver sets, so a server that uses none pays nothing;
 * then 40 bytes per slot index up to the highest one that set a timeout (the 64-byte slot has
 * no room for a timer link).
 *
 * <p>Timeouts fire lazily, as Netty's idle handler does: one timer per connection armed for the
 * nearer limit; when it fires (its check reaches the driver through the shard's ring, retried
 * if the ring is full so that no check is lost), a connection that was active meanwhile is
 * re-armed for the rest. A busy connection so costs one timer per limit, not one per read.
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
    /** The token whose timer is in flight for this index, or 0: at most one timer per connection. */
    private long[] armedToken = new long[64];

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
        if (index >= armedToken.length) {
            int size = Math.max(armedToken.length * 2, index + 1);
            readLimitNanos = Arrays.copyOf(readLimitNanos, size);
            idleLimitNanos = Arrays.copyOf(idleLimitNanos, size);
            lastReadNanos = Arrays.copyOf(lastReadNanos, size);
            lastWriteNanos = Arrays.copyOf(lastWriteNanos, size);
            armedToken = Arrays.copyOf(armedToken, size);
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
        if (left != Long.MAX_VALUE && armedToken[index] != slot.token()) {
            armedToken[index] = slot.token();
            arm(slot.token(), left);
        }
    }

    /** The bound connection read now. */
    void read(SlotView slot) {
        int index = slot.index();
        if (index < armedToken.length && (readLimitNanos[index] | idleLimitNanos[index]) != 0) {
            lastReadNanos[index] = Time.nanoTime();
        }
    }

    /** The bound connection wrote now. */
    void wrote(SlotView slot) {
        int index = slot.index();
        if (index < armedToken.length && idleLimitNanos[index] != 0) {
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
     * {@code token}'s timer fired for the bound connection: {@link #READ} or {@link #IDLE} when
     * that limit passed (the caller closes it); else {@link #NONE}, re-armed for the rest, or
     * dropped when stale or off.
     */
    int expired(SlotView slot, long token) {
        int index = slot.index();
        if (index >= armedToken.length || armedToken[index] != token) {
            return NONE; // another registration's, or superseded
        }
        armedToken[index] = 0;
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
            armedToken[index] = token;
            arm(token, left);
        }
        return NONE;
    }

    long limitMillis(SlotView slot, int kind) {
        return Duration.ofNanos((kind == READ ? readLimitNanos : idleLimitNanos)[slot.index()]).toMillis();
    }

    /** The bound connection closes: its index may serve another. */
    void clear(SlotView slot) {
        int index = slot.index();
        if (index < armedToken.length) {
            readLimitNanos[index] = 0;
            idleLimitNanos[index] = 0;
        }
    }

    /** In {@code delayNanos}, has the driver check {@code token}; on a worker. */
    private void arm(long token, long delayNanos) {
        Time.sleep(Duration.ofNanos(Math.max(0, delayNanos))).map(v -> {
            submit(token);
            return null;
        });
    }

    private void submit(long token) {
        if (server.submitTimer(token, ShardDriver.SUBMIT_TIMER) == SendResult.BACKPRESSURE) {
            Time.sleep(RETRY).map(v -> {
                submit(token); // the ring is full: the check must not be lost
                return null;
            });
        }
    }
}
