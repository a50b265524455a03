package io.krill.internal.time;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A runtime's time source, in nanoseconds since the runtime started: the system's monotonic
 * clock, or a paused clock that moves only when told (tests).
 */
public abstract sealed class Clock permits Clock.SystemClock, Clock.PausedClock {

    /** Nanoseconds since the runtime started. */
    public abstract long nowNanos();

    public boolean isPaused() {
        return false;
    }

    public static Clock system() {
        return new SystemClock();
    }

    public static PausedClock paused() {
        return new PausedClock();
    }

    static final class SystemClock extends Clock {
        private final long originNanos = System.nanoTime();

        @Override
        public long nowNanos() {
            return System.nanoTime() - originNanos;
        }
    }

    /** Time stands still until {@link #advance} or an auto-advance by idle workers. */
    public static final class PausedClock extends Clock {
        private final AtomicLong nowNanos = new AtomicLong();

        @Override
        public long nowNanos() {
            return nowNanos.get();
        }

        @Override
        public boolean isPaused() {
            return true;
        }

        /** Moves time forward by {@code nanos} (&gt;= 0). */
        public void advance(long nanos) {
            if (nanos < 0) {
                throw new IllegalArgumentException("cannot move the clock back: advance by " + nanos + " ns");
            }
            nowNanos.getAndUpdate(now -> saturatedAdd(now, nanos));
        }

        /** Moves time forward to {@code targetNanos} if it is later than now. */
        public void advanceTo(long targetNanos) {
            nowNanos.accumulateAndGet(targetNanos, Math::max);
        }
    }

    /** {@code a + b} for non-negative b, saturating at Long.MAX_VALUE (which means never). */
    public static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
