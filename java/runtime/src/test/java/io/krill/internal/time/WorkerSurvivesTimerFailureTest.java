package io.krill.internal.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Runtime;
import io.krill.internal.executor.WorkerThread;
import io.krill.time.Time;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * #13's "workers never die": a timer whose waker throws (a bug outside any task step) is
 * reported to the uncaught handler, the timers due with it still fire, and the worker goes on
 * serving its tasks and timers. On the old code the exception ended the worker's thread: the
 * later sleep never completed.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WorkerSurvivesTimerFailureTest {

    @Test
    void aThrowingTimerIsReportedAndTheWorkersTimersStillFire() throws Exception {
        List<Throwable> reported = new CopyOnWriteArrayList<>();
        try (Runtime runtime = Runtime.builder().workers(1).uncaughtExceptionHandler(reported::add).build()) {
            CountDownLatch sameSlot = new CountDownLatch(1);
            runtime.blockOn(() -> {
                TimerQueue timers = WorkerThread.currentTimers();
                long due = timers.clock().nowNanos() + 2_000_000;
                timers.schedule(new TimerEntry(() -> {
                    throw new IllegalStateException("a timer's waker failed");
                }), due);
                timers.schedule(new TimerEntry(sameSlot::countDown), due); // due together with the failing one
                return null;
            });
            assertTrue(sameSlot.await(10, TimeUnit.SECONDS), "a timer due with the failing one never fired");
            runtime.blockOn(() -> Time.sleep(Duration.ofMillis(20))).join(Duration.ofSeconds(10));
            assertEquals(42, runtime.spawn(() -> 42).join(Duration.ofSeconds(10)), "the worker still runs tasks");
            assertEquals(1, reported.size(), "reported once: " + reported);
            assertEquals("a timer's waker failed", reported.get(0).getMessage());
        }
    }
}
