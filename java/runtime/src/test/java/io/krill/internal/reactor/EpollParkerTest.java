package io.krill.internal.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.internal.executor.ParkerContract;
import io.krill.internal.jni.NativeLibrary;
import io.krill.internal.jni.OpenDescriptors;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@EnabledOnOs(OS.LINUX)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EpollParkerTest {

    /**
     * How late a timed park may return: generous, as a loaded CI machine (two cores, other
     * builds) can hold a woken thread off its core for a few hundred milliseconds.
     */
    private static final long LATE_BOUND_NANOS = TimeUnit.SECONDS.toNanos(3);

    @BeforeAll
    static void load() {
        NativeLibrary.load();
    }

    @Test
    void anUnparkBeforeParkReturnsAtOnceWithoutASyscall() {
        EpollParker parker = new EpollParker(JniNativeIo.load(), (t, r, x) -> { });
        try {
            ParkerContract.unparkBeforeParkIsNotLost(parker);
            assertEquals(0, parker.wakeWrites(), "nobody was parked: no eventfd write");
        } finally {
            parker.close();
        }
    }

    @Test
    void aTimedParkReturnsAfterItsTimeout() {
        EpollParker parker = new EpollParker(JniNativeIo.load(), (t, r, x) -> { });
        try {
            long start = System.nanoTime();
            parker.park(TimeUnit.MILLISECONDS.toNanos(20));
            long sleptNanos = System.nanoTime() - start;
            assertTrue(sleptNanos >= TimeUnit.MILLISECONDS.toNanos(20), "woke early, after " + sleptNanos + " ns");
            // The timeout bounds the sleep: a park that missed its deadline (a unit slip in the
            // nanos-to-millis rounding, an infinite wait) would sleep far past it.
            assertTrue(sleptNanos < LATE_BOUND_NANOS, "a 20 ms park slept " + sleptNanos / 1_000_000 + " ms");
        } finally {
            parker.close();
        }
    }

    @Test
    void aStormOfWakersNeverLeavesTheSleeperAsleep() throws InterruptedException {
        EpollParker parker = new EpollParker(JniNativeIo.load(), (t, r, x) -> { });
        try {
            int parks = ParkerContract.aStormOfWakersNeverLeavesTheSleeperAsleep(parker, thread -> { });
            // A waker writes the eventfd only when it finds the sleeper PARKED, and each park is
            // found so by one waker at most: more writes than parks means needless syscalls.
            assertTrue(parker.wakeWrites() <= parks, parker.wakeWrites() + " eventfd writes for " + parks + " parks");
        } finally {
            parker.close();
        }
    }

    @Test
    void closingReleasesBothDescriptors() {
        Map<Integer, String> before = OpenDescriptors.snapshot();
        EpollParker parker = new EpollParker(JniNativeIo.load(), (t, r, x) -> { });
        assertEquals(Map.of("anon_inode:[eventfd]", 1, "anon_inode:[eventpoll]", 1), OpenDescriptors.kindsOpenedSince(before),
                "an epoll instance and an eventfd");
        parker.close();
        assertEquals(Map.of(), OpenDescriptors.openedSince(before), "both closed");
        assertTrue(parker.isFreed(), "the event ring's off-heap memory is freed");
    }
}
