package io.krill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.time.Interval;
import io.krill.time.Time;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * #15: {@code runtime.spawnVirtual}, blocking style on a virtual thread: its result, failure,
 * cancellation and shutdown, joins of tasks made on workers, and timers set from it.
 */
class SpawnVirtualTest {

    /** Bounds every wait, so a broken test fails instead of hanging; never asserted on. */
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration HOUR = Duration.ofHours(1);

    private final BlockingQueue<Throwable> uncaught = new LinkedBlockingQueue<>();
    private final Runtime runtime = Runtime.builder().workers(2).uncaughtExceptionHandler(uncaught::add).build();

    @AfterEach
    void tearDown() {
        runtime.shutdown(Duration.ofSeconds(5)); // idempotent: a test that shut it down already gets its answer
        assertEquals(List.of(), List.copyOf(uncaught), "reports to the hook that the test did not expect");
    }

    @Test
    void theBodyRunsOnAVirtualThreadThatKnowsItsRuntime() throws Exception {
        JoinHandle<String> handle = runtime.spawnVirtual(() -> {
            assertTrue(Thread.currentThread().isVirtual(), "a virtual thread");
            assertSame(runtime, Runtime.current(), "Runtime.current() answers the spawning runtime");
            return Thread.currentThread().getName();
        });
        assertTrue(handle.join(WAIT).startsWith("krill-virtual-"), handle.resultNow());
        assertTrue(handle.isFinished());
        assertFalse(handle.isCancelled());
    }

    @Test
    void aFailureFailsTheHandleAndReachesTheUncaughtHook() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        JoinHandle<Object> handle = runtime.spawnVirtual(() -> {
            throw boom;
        });
        CompletionException failed = assertThrows(CompletionException.class, handle::join);
        assertSame(boom, failed.getCause());
        assertSame(boom, uncaught.poll(WAIT.toSeconds(), TimeUnit.SECONDS), "as a spawned task's failure");
    }

    /** The one test of join() from a virtual thread that is not spawnVirtual's: any virtual thread may join. */
    @Test
    void anyVirtualThreadJoinsTasksMadeOnWorkersParkingOnlyItself() throws Exception {
        Promise<Integer> later = Task.promise();
        AtomicReference<Integer> joined = new AtomicReference<>();
        Thread plain = Thread.ofVirtual().start(() -> joined.set(runtime.spawn(() -> 6 * 7).join()));
        plain.join(WAIT);
        assertEquals(42, joined.get());
        Task<Integer> pending = runtime.blockOn(() -> later.map(v -> v * 2)); // made on a worker
        JoinHandle<Integer> joiner = runtime.spawnVirtual(pending::join);
        later.complete(21); // completes a task the virtual thread is parked on
        assertEquals(42, joiner.join(WAIT));
    }

    @Test
    void aVirtualThreadJoinsSpawnedTasksAndCoroutines() throws Exception {
        JoinHandle<Integer> handle = runtime.spawnVirtual(() -> {
            int callable = runtime.spawn(() -> 40).join();
            int coroutine = Runtime.current().spawn((Coroutine<Integer>) step -> step.complete(2)).join();
            return callable + coroutine;
        });
        assertEquals(42, handle.join(WAIT));
    }

    @Test
    void abortCancelsTheHandleAndTheJoinTheBodyIsParkedIn() throws Exception {
        Promise<String> never = Task.promise();
        CountDownLatch parked = new CountDownLatch(1);
        AtomicReference<Throwable> seen = new AtomicReference<>();
        JoinHandle<String> handle = runtime.spawnVirtual(() -> {
            parked.countDown();
            try {
                return never.join();
            } catch (CancellationException e) {
                seen.set(e);
                throw e;
            }
        });
        assertTrue(parked.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(handle.abort());
        assertTrue(handle.isCancelled(), "the handle is cancelled at once");
        assertThrows(CancellationException.class, handle::join);
        assertTrue(runtime.shutdown(WAIT), "the body ended: its join gave up");
        assertInstanceOf(CancellationException.class, seen.get(), "the join in the body threw");
        assertTrue(never.isCancelled(), "and cancelled the task it waited for");
    }

    @Test
    void cancelInterruptsBlockingJdkCalls() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Throwable> seen = new AtomicReference<>();
        JoinHandle<Void> handle = runtime.spawnVirtual(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await(); // a JDK wait that only an interrupt ends
            } catch (InterruptedException e) {
                seen.set(e);
            }
            return null;
        });
        assertTrue(started.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(handle.cancel());
        assertTrue(runtime.shutdown(WAIT));
        assertInstanceOf(InterruptedException.class, seen.get());
    }

    /** Cancel safety: a spawnVirtual that loses a race is cancelled, and its join gives up what it waited for. */
    @Test
    void aSpawnVirtualThatLosesARaceIsCancelled() throws Exception {
        Promise<String> never = Task.promise();
        CountDownLatch parked = new CountDownLatch(1);
        JoinHandle<String> loser = runtime.spawnVirtual(() -> {
            parked.countDown();
            return never.join();
        });
        assertTrue(parked.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals("first", runtime.blockOn(() -> Task.race(Task.completed("first"), loser)).join(WAIT));
        assertTrue(loser.isCancelled());
        assertTrue(runtime.shutdown(WAIT), "the loser's body ended");
        assertTrue(never.isCancelled());
    }

    /** Cancel safety: a spawnVirtual under a timeout that fires is cancelled, and so is what its body waited for. */
    @Test
    void aSpawnVirtualUnderATimeoutThatFiresIsCancelled() throws Exception {
        try (Runtime paused = Runtime.builder().workers(1).pausedClock().build()) {
            Promise<String> never = Task.promise();
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch ended = new CountDownLatch(1);
            JoinHandle<String> body = paused.spawnVirtual(() -> {
                started.countDown();
                try {
                    return never.join();
                } finally {
                    ended.countDown();
                }
            });
            // Started first: a body cancelled before its thread runs never runs at all (and then
            // joins nothing); the clock may jump at once, with the only worker idle.
            assertTrue(started.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            Task<String> limited = paused.blockOn(() -> Time.timeout(Duration.ofSeconds(1), body));
            CompletionException failed = assertThrows(CompletionException.class, limited::join); // the clock jumps: the worker is idle
            assertInstanceOf(TimeoutException.class, failed.getCause());
            assertTrue(body.isCancelled());
            assertTrue(ended.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertTrue(never.isCancelled());
        }
    }

    /** A value returned after the cancel is nobody's: it is closed. */
    @Test
    void aValueReturnedAfterTheCancelIsClosed() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean closed = new AtomicBoolean();
        JoinHandle<AutoCloseable> handle = runtime.spawnVirtual(() -> {
            started.countDown();
            while (!Thread.currentThread().isInterrupted()) { // ignores its cancel but for the flag
                Thread.onSpinWait();
            }
            return () -> closed.set(true);
        });
        assertTrue(started.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(handle.cancel());
        assertTrue(runtime.shutdown(WAIT));
        assertTrue(closed.get(), "the resource returned after the cancel was closed");
    }

    @Test
    void gracefulShutdownWaitsForVirtualThreads() throws Exception {
        AtomicBoolean finished = new AtomicBoolean();
        CountDownLatch sleeping = new CountDownLatch(1);
        JoinHandle<Void> handle = runtime.spawnVirtual(() -> {
            sleeping.countDown();
            Time.sleep(Duration.ofMillis(50)).join(); // needs a worker's timer: shutdown must keep them running
            finished.set(true);
            return null;
        });
        assertTrue(sleeping.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(runtime.shutdown(WAIT), "clean: the body finished by itself");
        assertTrue(finished.get(), "shutdown waited for it");
        assertTrue(handle.isDone() && !handle.isCancelled());
        assertThrows(RejectedExecutionException.class, () -> runtime.spawnVirtual(() -> 1), "no new ones after shutdown");
    }

    @Test
    void shutdownPastItsDeadlineCancelsVirtualThreads() throws Exception {
        Promise<Void> never = Task.promise();
        CountDownLatch parked = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        JoinHandle<Void> handle = runtime.spawnVirtual(() -> {
            parked.countDown();
            try {
                return never.join();
            } finally {
                ended.countDown();
            }
        });
        assertTrue(parked.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertFalse(runtime.shutdown(Duration.ZERO), "not clean: a body was still running");
        assertTrue(handle.isCancelled());
        assertTrue(ended.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the body ended (shutdown does not wait for it)");
        assertTrue(never.isCancelled(), "the body's join gave up what it waited for");
    }

    @Test
    void shutdownFromItsOwnVirtualThreadIsRefused() throws Exception {
        JoinHandle<Throwable> handle = runtime.spawnVirtual(() -> {
            try {
                runtime.shutdown(Duration.ofSeconds(1));
                return null;
            } catch (IllegalStateException e) {
                return e;
            }
        });
        assertTrue(handle.join(WAIT).getMessage().contains("wait for itself"), handle.resultNow().getMessage());
    }

    @Test
    void timersWorkFromTheVirtualThread() throws Exception {
        try (Runtime paused = Runtime.builder().workers(1).pausedClock().build()) {
            JoinHandle<Long> slept = paused.spawnVirtual(() -> {
                long start = Time.nanoTime();
                Time.sleep(HOUR).join(); // the clock jumps: the only worker is idle
                Time.sleepUntil(Time.nanoTime() + HOUR.toNanos()).join();
                Interval interval = Time.interval(HOUR);
                interval.tick().join();
                interval.tick().join();
                return Time.nanoTime() - start;
            });
            assertTrue(slept.join(WAIT) >= 3 * HOUR.toNanos(), "three hours of the paused clock: " + slept.resultNow());
            JoinHandle<Throwable> timedOut = paused.spawnVirtual(() -> {
                Promise<String> never = Task.promise();
                try {
                    Time.timeout(Duration.ofSeconds(5), never).join();
                    return null;
                } catch (CompletionException e) {
                    assertTrue(never.isCancelled(), "the timeout cancelled its task");
                    return e.getCause();
                }
            });
            assertInstanceOf(TimeoutException.class, timedOut.join(WAIT));
            JoinHandle<String> inTime = paused.spawnVirtual(() -> {
                Task<String> soon = Time.sleep(Duration.ofSeconds(1)).map(v -> "in time");
                return soon.timeout(HOUR).join(); // the instance form, from the virtual thread
            });
            assertEquals("in time", inTime.join(WAIT));
        }
    }

    @Test
    void cancellingARoutedSleepCancelsItsTimer() throws Exception {
        JoinHandle<Task<Void>> handle = runtime.spawnVirtual(() -> Time.sleep(HOUR));
        Task<Void> sleep = handle.join(WAIT);
        assertTrue(sleep.cancel());
        assertThrows(CancellationException.class, sleep::join);
        assertTrue(runtime.shutdown(WAIT), "nothing is left waiting on the hour");
    }

    @Test
    void aTimeoutCancelledBeforeItReachedAWorkerCancelsItsTask() throws Exception {
        Promise<String> never = Task.promise();
        JoinHandle<Task<String>> handle = runtime.spawnVirtual(() -> {
            Task<String> timeout = Time.timeout(HOUR, never);
            timeout.cancel();
            return timeout;
        });
        assertTrue(handle.join(WAIT).isCancelled());
        assertTrue(runtime.shutdown(WAIT));
        assertTrue(never.isCancelled(), "cancelled with its timeout, wherever the cancel landed");
    }

    @Test
    void aThreadOfNoRuntimeIsToldWhatToDo() {
        IllegalStateException sleep = assertThrows(IllegalStateException.class, () -> Time.sleep(Duration.ofMillis(1)));
        assertTrue(sleep.getMessage().contains("Time.sleep") && sleep.getMessage().contains("runtime.spawnVirtual"),
                sleep.getMessage());
        IllegalStateException current = assertThrows(IllegalStateException.class, Runtime::current);
        assertTrue(current.getMessage().contains("spawnVirtual"), current.getMessage());
    }
}
