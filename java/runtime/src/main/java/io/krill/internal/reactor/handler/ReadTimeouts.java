package io.krill.internal.reactor.handler;

import java.util.Arrays;

/**
 * The read timeouts of one driver's connections, by slot index: the limit and the time of the
 * last read. Made on the first {@code setReadTimeout} of the driver, so a server that uses none
 * pays nothing; then 24 bytes per slot index up to the highest one that used a timeout. Driver
 * thread only (plain fields). Timeouts fire lazily, as Netty's idle handler does: one timer per
 * connection armed for the limit; when it fires, a connection read since is re-armed for the
 * rest, so a busy connection costs one timer per limit, not one per read.
 */
final class ReadTimeouts {

    /** 0: no timeout for this index. */
    private long[] limitNanos = new long[64];
    private long[] lastReadNanos = new long[64];
    /** The token whose timer is in flight for this index, or 0: at most one timer per connection. */
    private long[] armedToken = new long[64];

    /** Sets (or with 0 clears) the limit of slot {@code index}, counting from {@code nowNanos}. */
    void set(int index, long limit, long nowNanos) {
        if (index >= limitNanos.length) {
            int size = Math.max(limitNanos.length * 2, index + 1);
            limitNanos = Arrays.copyOf(limitNanos, size);
            lastReadNanos = Arrays.copyOf(lastReadNanos, size);
            armedToken = Arrays.copyOf(armedToken, size);
        }
        limitNanos[index] = limit;
        lastReadNanos[index] = nowNanos;
    }

    long limit(int index) {
        return index < limitNanos.length ? limitNanos[index] : 0;
    }

    /** Slot {@code index} read at {@code nowNanos}. */
    void read(int index, long nowNanos) {
        if (index < limitNanos.length && limitNanos[index] != 0) {
            lastReadNanos[index] = nowNanos;
        }
    }

    /** Nanoseconds left before slot {@code index} times out (0 or less: it has), or MAX_VALUE with no limit. */
    long remaining(int index, long nowNanos) {
        long limit = limit(index);
        return limit == 0 ? Long.MAX_VALUE : lastReadNanos[index] + limit - nowNanos;
    }

    /** True (and noted) when no timer of {@code token} is in flight: the caller arms one. */
    boolean arm(int index, long token) {
        if (armedToken[index] == token) {
            return false;
        }
        armedToken[index] = token;
        return true;
    }

    /** {@code token}'s timer fired: true when it was the armed one (then it is no longer). */
    boolean fired(int index, long token) {
        if (index >= armedToken.length || armedToken[index] != token) {
            return false;
        }
        armedToken[index] = 0;
        return true;
    }

    void clear(int index) {
        if (index < limitNanos.length) {
            limitNanos[index] = 0;
        }
    }
}
