package io.krill.internal.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.internal.executor.ParkerContract;
import io.krill.internal.jni.NativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@EnabledOnOs(OS.LINUX)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EpollParkerTest {

    @BeforeAll
    static void load() {
        NativeLibrary.load();
    }

    private static long openDescriptors() throws IOException {
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            return entries.count() - 1;
        }
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
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(20), "woke early");
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
    void closingReleasesBothDescriptors() throws IOException {
        long before = openDescriptors();
        EpollParker parker = new EpollParker(JniNativeIo.load(), (t, r, x) -> { });
        assertEquals(before + 2, openDescriptors(), "an epoll instance and an eventfd");
        parker.close();
        assertEquals(before, openDescriptors());
        assertTrue(parker.isFreed(), "the event ring's off-heap memory is freed");
    }
}
