package io.krill.internal.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.internal.jni.NativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
            parker.unpark();
            parker.park(-1); // would hang (and time out) if the permit were lost
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
        int rounds = 20_000;
        EpollParker parker = new EpollParker(JniNativeIo.load(), (t, r, x) -> { });
        try {
            AtomicInteger produced = new AtomicInteger();
            AtomicInteger consumed = new AtomicInteger();
            Thread sleeper = Thread.ofPlatform().start(() -> {
                while (consumed.get() < rounds) {
                    if (consumed.get() < produced.get()) {
                        consumed.incrementAndGet();
                    } else {
                        parker.park(-1);
                    }
                }
            });
            Thread[] wakers = new Thread[4];
            for (int w = 0; w < wakers.length; w++) {
                wakers[w] = Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < rounds / 4; i++) {
                        produced.incrementAndGet();
                        parker.unpark();
                    }
                });
            }
            for (Thread waker : wakers) {
                waker.join();
            }
            sleeper.join(); // a lost wake-up leaves it in epoll_wait: the timeout fails the test
            assertEquals(rounds, consumed.get());
            assertTrue(parker.wakeWrites() <= rounds, "at most one write per unpark");
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
