package io.krill.internal.reactor.handler;

import io.krill.internal.reactor.SlotView;
import io.krill.net.SendResult;
import io.krill.time.Time;
import java.time.Duration;
import java.util.Arrays;

/**
 * The read timeouts of one driver's connections, by slot index: the limit, the time of the
 * last read, and the token whose timer is in flight. Made on the first {@code setReadTimeout}
 * of the driver, so a server that uses none pays nothing; then 24 bytes per slot index up to
 * the highest one that used a timeout (the 64-byte slot has no room for a timer link).
 *
 * <p>Timeouts fire lazily, as Netty's idle handler does: one timer per connection armed for the
 * limit; when it fires (its check reaches the driver through the shard's ring, retried if the
 * ring is full so that no check is lost), a connection that read meanwhile is re-armed for the
 * rest. A busy connection so costs one timer per limit, not one per read. Driver thread only,
 * but the timers' continuations, which only submit.
 */
final class ReadTimeouts {

    /** A timer that found the ring full tries again after this (guess). */
    private static final Duration RETRY = Duration.ofMillis(1);

    private final HandlerServer server;
    /** 0: no timeout for this index. */
    private long[] limitNanos = new long[64];
    private long[] lastReadNanos = new long[64];
    /** The token whose timer is in flight for this index, or 0: at most one timer per connection. */
    private long[] armedToken = new long[64];

    ReadTimeouts(HandlerServer server) {
        this.server = server;
    }

    /** The limit of {@code timeout} (0: off), or an exception naming the bad value. */
    static long limitOf(Duration timeout) {
        if (timeout == null || timeout.isZero()) {
            return 0;
        }
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("read timeout must not be negative, got " + timeout + " (null turns it off)");
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 2; // centuries: never, without overflowing the deadline arithmetic
        }
    }

    /** Sets (0 clears) the limit of the bound connection, counting from now; arms its timer. */
    void set(SlotView slot, long limit) {
        int index = slot.index();
        if (index >= limitNanos.length) {
            int size = Math.max(limitNanos.length * 2, index + 1);
            limitNanos = Arrays.copyOf(limitNanos, size);
            lastReadNanos = Arrays.copyOf(lastReadNanos, size);
            armedToken = Arrays.copyOf(armedToken, size);
        }
        limitNanos[index] = limit;
        lastReadNanos[index] = Time.nanoTime();
        if (limit != 0 && armedToken[index] != slot.token()) {
            armedToken[index] = slot.token();
            arm(slot.token(), limit);
        }
    }

    /** The bound connection read now. */
    void read(SlotView slot) {
        int index = slot.index();
        if (index < limitNanos.length && limitNanos[index] != 0) {
            lastReadNanos[index] = Time.nanoTime();
        }
    }

    /**
     * {@code token}'s timer fired for the bound connection: true when it read nothing for its
     * limit (the caller closes it); else re-armed for the rest, or dropped when stale or off.
     */
    boolean expired(SlotView slot, long token) {
        int index = slot.index();
        if (index >= armedToken.length || armedToken[index] != token) {
            return false; // another registration's, or superseded
        }
        armedToken[index] = 0;
        long limit = limitNanos[index];
        if (limit == 0) {
            return false; // turned off meanwhile
        }
        long left = lastReadNanos[index] + limit - Time.nanoTime();
        if (left <= 0) {
            return true;
        }
        armedToken[index] = token;
        arm(token, left);
        return false;
    }

    long limitMillis(SlotView slot) {
        return Duration.ofNanos(limitNanos[slot.index()]).toMillis();
    }

    /** The bound connection closes: its index may serve another. */
    void clear(SlotView slot) {
        if (slot.index() < limitNanos.length) {
            limitNanos[slot.index()] = 0;
        }
    }

    /** In {@code delayNanos}, has the driver check {@code token}; on a worker. */
    private void arm(long token, long delayNanos) {
        Time.sleep(Duration.ofNanos(delayNanos)).map(v -> {
            submit(token);
            return null;
        });
    }

    private void submit(long token) {
        if (server.submitTimer(token, ShardDriver.SUBMIT_READ_TIMER) == SendResult.BACKPRESSURE) {
            Time.sleep(RETRY).map(v -> {
                submit(token); // the ring is full: the check must not be lost
                return null;
            });
        }
    }
}
