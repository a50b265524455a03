package io.krill.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Coroutine;
import io.krill.JoinHandle;
import io.krill.Promise;
import io.krill.Runtime;
import io.krill.Step;
import io.krill.Task;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Time on a runtime with a paused clock: deterministic and instant. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TimeTest {

    private static final long MS = 1_000_000L;

    private final Runtime runtime = Runtime.builder().workers(2).pausedClock().build();

    @AfterEach
    void tearDown() {
        assertTrue(runtime.shutdown(Duration.ofSeconds(5)));
    }

    /** Sleeps {@code d} on a worker and reports the runtime-clock nanoseconds it took. */
    private long timedSleep(Duration d) {
        return runtime.blockOn(() -> {
            long start = Time.nanoTime();
            return Time.sleep(d).map(v -> Time.nanoTime() - start);
        }).join();
    }

    @Test
    void aSleepTakesItsDurationOnThePausedClockRoundedUpToTheTick() {
        assertEquals(10 * MS, timedSleep(Duration.ofMillis(10)));
        assertEquals(MS, timedSleep(Duration.ofNanos(1)), "rounded up to one tick, never early");
        assertEquals(3_600_000 * MS, timedSleep(Duration.ofHours(1)), "an hour passes at once when idle");
        assertEquals(0, timedSleep(Duration.ZERO));
    }

    @Test
    void timersFireInDeadlineOrder() {
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        runtime.blockOn(() -> {
            List<Task<Void>> all = new ArrayList<>();
            for (int ms : new int[] {30, 10, 20, 5, 25}) {
                all.add(Time.sleep(Duration.ofMillis(ms)).map(v -> {
                    order.add(ms);
                    return null;
                }));
            }
            return Task.all(all);
        }).join();
        assertEquals(List.of(5, 10, 20, 25, 30), order);
    }

    @Test
    void sleepsAcrossEveryLevelOfTheWheelAreExact() {
        for (int level = 1; level < 6; level++) {
            long ticks = 1L << (6 * level);
            for (long delta : new long[] {-1, 0, 1}) {
                Duration d = Duration.ofMillis(ticks + delta);
                assertEquals((ticks + delta) * MS, timedSleep(d), "sleep " + d);
            }
        }
    }

    @Test
    void sleepUntilUsesTheRuntimeClock() {
        long took = runtime.blockOn(() -> {
            long start = Time.nanoTime();
            return Time.sleepUntil(start + 7 * MS).map(v -> Time.nanoTime() - start);
        }).join();
        assertEquals(7 * MS, took);
        assertEquals(null, runtime.blockOn(() -> Time.sleepUntil(0)).join(), "a past deadline completes at once");
        long wall = runtime.blockOn(() -> {
            long start = Time.nanoTime();
            return Time.sleepUntil(java.time.Instant.now().plusSeconds(60)).map(v -> Time.nanoTime() - start);
        }).join();
        assertTrue(wall >= 59_000 * MS && wall <= 60_000 * MS, "an Instant a minute ahead: " + wall);
        assertEquals(null, runtime.blockOn(() -> Time.sleepUntil(java.time.Instant.EPOCH)).join());
    }

    /**
     * Keeps the paused clock from auto-advancing: running blocking work means the runtime is not
     * idle (as in Tokio). Returns the latch that lets it finish.
     */
    private java.util.concurrent.CountDownLatch holdTime(Runtime rt) {
        java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
        rt.spawnBlocking(() -> hold.await(20, TimeUnit.SECONDS));
        return hold;
    }

    @Test
    void advanceClockMovesTimeAndFiresWhatIsDue() {
        java.util.concurrent.CountDownLatch hold = holdTime(runtime);
        long start = runtime.clockNanos();
        Task<Void> sleep = runtime.blockOn(() -> Time.sleep(Duration.ofSeconds(5)));
        runtime.advanceClock(Duration.ofSeconds(4));
        runtime.spawn(() -> 0).join(); // a round trip through the workers after the advance
        assertFalse(sleep.isDone(), "4 s into a 5 s sleep");
        assertEquals(start + 4_000 * MS, runtime.clockNanos(), "only advanceClock moved time");
        runtime.advanceClock(Duration.ofSeconds(1));
        sleep.join();
        hold.countDown();
        assertThrows(IllegalArgumentException.class, () -> runtime.advanceClock(Duration.ofMillis(-1)));
        try (Runtime real = Runtime.builder().workers(1).build()) {
            assertThrows(IllegalStateException.class, () -> real.advanceClock(Duration.ofMillis(1)));
        }
    }

    @Test
    void timeoutFailsAndCancelsTheSlowTask() {
        Promise<String> never = Task.promise();
        Task<String> limited = runtime.blockOn(() -> Time.timeout(Duration.ofMillis(50), never));
        CompletionException e = assertThrows(CompletionException.class, limited::join);
        assertInstanceOf(TimeoutException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("PT0.05S"), e.getCause().getMessage());
        assertTrue(never.isCancelled(), "the inner task is cancelled");
    }

    @Test
    void timeoutPassesTheResultOfAFastTaskAndDropsItsTimer() {
        String value = runtime.blockOn(() -> {
            Task<String> fast = Time.sleep(Duration.ofMillis(5)).map(v -> "fast");
            return Time.timeout(Duration.ofSeconds(10), fast);
        }).join();
        assertEquals("fast", value);
        long clockAfter = runtime.clockNanos();
        assertTrue(clockAfter < 10_000 * MS, "the 10 s timer was cancelled, so idle time did not jump to it: " + clockAfter);
        Task<String> done = Task.completed("now");
        assertTrue(runtime.blockOn(() -> Time.timeout(Duration.ofMillis(1), done)) == done,
                "a finished task needs no timer");
    }

    @Test
    void cancellingASleepFromAnotherThreadStopsIt() {
        java.util.concurrent.CountDownLatch hold = holdTime(runtime);
        Task<Void> sleep = runtime.blockOn(() -> Time.sleep(Duration.ofMillis(100)));
        assertTrue(sleep.cancel()); // from the test thread: the cross-thread path
        assertThrows(CancellationException.class, sleep::join);
        // and from a task on whatever worker runs it
        Task<Void> second = runtime.blockOn(() -> Time.sleep(Duration.ofMillis(100)));
        assertTrue(runtime.spawn(second::cancel).join());
        assertTrue(second.isCancelled());
        hold.countDown();
        assertEquals(MS, timedSleep(Duration.ofMillis(1)), "the runtime's timers still work");
    }

    @Test
    void aCancelAfterFiringReportsFalse() {
        Task<Void> sleep = runtime.blockOn(() -> Time.sleep(Duration.ofMillis(1)));
        sleep.join();
        assertFalse(sleep.cancel());
    }

    @Test
    void aTaskCanSleepInALoopAsACoroutine() {
        long took = runtime.blockOn(new Coroutine<Long>() {
            int rounds;
            long start = -1;
            Task<Void> pending;

            @Override
            public void resume(Step<Long> step) {
                if (start < 0) {
                    start = Time.nanoTime();
                }
                while (pending == null || step.await(pending)) {
                    if (rounds++ == 10) {
                        step.complete(Time.nanoTime() - start);
                        return;
                    }
                    pending = Time.sleep(Duration.ofMillis(3));
                }
            }
        });
        assertEquals(30 * MS, took);
    }

    @Test
    void burstFiresMissedTicksBackToBack() {
        List<Long> ticks = ticksAfterStall(MissedTickBehavior.BURST);
        assertEquals(List.of(0L, 10L, 20L, 30L, 40L), ticks);
    }

    @Test
    void delayRestartsThePeriodFromTheLateTick() {
        List<Long> ticks = ticksAfterStall(MissedTickBehavior.DELAY);
        assertEquals(List.of(0L, 10L, 45L, 55L, 65L), ticks);
    }

    @Test
    void skipResumesOnTheOriginalSchedule() {
        List<Long> ticks = ticksAfterStall(MissedTickBehavior.SKIP);
        assertEquals(List.of(0L, 10L, 40L, 50L, 60L), ticks);
    }

    /** Ticks an interval of 10 ms: once, then stalls to 35 ms, then ticks four more times. */
    private List<Long> ticksAfterStall(MissedTickBehavior behavior) {
        return runtime.blockOn(() -> {
            long origin = Time.nanoTime();
            Interval interval = Time.interval(Duration.ofMillis(10), behavior);
            List<Long> ticks = Collections.synchronizedList(new ArrayList<>());
            return interval.tick()
                    .then(t -> record(ticks, t, origin, Time.sleepUntil(origin + 35 * MS)))
                    .then(v -> interval.tick()).then(t -> record(ticks, t, origin, Task.completed(null)))
                    .then(v -> interval.tick()).then(t -> record(ticks, t, origin, Task.completed(null)))
                    .then(v -> interval.tick()).then(t -> record(ticks, t, origin, Task.completed(null)))
                    .then(v -> interval.tick()).then(t -> record(ticks, t, origin, Task.completed(null)))
                    .map(v -> List.copyOf(ticks));
        }).join();
    }

    private static Task<Void> record(List<Long> ticks, long tickNanos, long origin, Task<Void> next) {
        ticks.add((tickNanos - origin) / MS);
        return next;
    }

    @Test
    void badDurationsAreRefusedByName() {
        IllegalArgumentException negative = runtime.blockOn(() -> {
            try {
                Time.sleep(Duration.ofMillis(-3));
                return null;
            } catch (IllegalArgumentException e) {
                return e;
            }
        });
        assertEquals("sleep duration must not be negative, got PT-0.003S", negative.getMessage());
        IllegalArgumentException zeroPeriod = runtime.blockOn(() -> {
            try {
                Time.interval(Duration.ZERO);
                return null;
            } catch (IllegalArgumentException e) {
                return e;
            }
        });
        assertEquals("interval period must be positive, got PT0S", zeroPeriod.getMessage());
        IllegalStateException offWorker = assertThrows(IllegalStateException.class, () -> Time.sleep(Duration.ofMillis(1)));
        assertTrue(offWorker.getMessage().contains("neither a Krill worker nor a virtual thread"), offWorker.getMessage());
    }

    @Test
    void overlongDurationsMeanNeverWithoutOverflow() {
        JoinHandle<Task<Void>> forever = runtime.spawn(() -> Time.sleep(ChronoUnit.FOREVER.getDuration()));
        Task<Void> sleep = forever.join();
        Task<Void> maxed = runtime.blockOn(() -> Time.sleep(Duration.ofNanos(Long.MAX_VALUE)));
        assertEquals(MS, timedSleep(Duration.ofMillis(1)), "other timers are unaffected");
        runtime.advanceClock(Duration.ofDays(365 * 1000));
        assertFalse(sleep.isDone(), "FOREVER never fires");
        assertFalse(maxed.isDone());
        assertTrue(sleep.cancel());
        assertTrue(maxed.cancel());
    }
}
