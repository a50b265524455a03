package io.krill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Public methods of the runtime's face that no other test calls (#18's list): each with a valid
 * value and what it must then do.
 */
class RuntimeSurfaceTest {

    @Test
    void workerThreadsCarryTheChosenNamePrefix() {
        try (Runtime runtime = Runtime.builder().workers(2).threadNamePrefix("edge-").build()) {
            String name = runtime.spawn(() -> Thread.currentThread().getName()).join();
            assertTrue(name.startsWith("edge-"), name);
        }
    }

    @Test
    void aGlobalQueueIntervalOfOneStillRunsEverything() {
        try (Runtime runtime = Runtime.builder().workers(2).globalQueueInterval(1).build()) {
            List<Task<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                int n = i;
                tasks.add(runtime.spawn(() -> n));
            }
            List<Integer> results = Task.all(tasks).join();
            for (int i = 0; i < 1_000; i++) {
                assertEquals(i, results.get(i));
            }
        }
    }

    @Test
    void theBlockingPoolRunsAtMostItsBoundAtOnce() throws Exception {
        try (Runtime runtime = Runtime.builder().workers(1).maxBlockingThreads(2)
                .blockingKeepAlive(Duration.ofMillis(10)).build()) {
            AtomicInteger running = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            CountDownLatch twoIn = new CountDownLatch(2);
            List<Task<Integer>> jobs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                jobs.add(runtime.spawnBlocking(() -> {
                    most.accumulateAndGet(running.incrementAndGet(), Math::max);
                    twoIn.countDown();
                    Thread.sleep(30);
                    running.decrementAndGet();
                    return 1;
                }));
            }
            assertTrue(twoIn.await(10, TimeUnit.SECONDS), "the pool ran two jobs at once");
            assertEquals(6, Task.all(jobs).join().stream().mapToInt(Integer::intValue).sum());
            assertEquals(2, most.get(), "at most maxBlockingThreads jobs at once, and the bound was reached");
        }
    }

    @Test
    void closeGivesTasksTheShutdownTimeoutThenCancelsThem() {
        Runtime runtime = Runtime.builder().workers(1).shutdownTimeout(Duration.ofMillis(100)).build();
        Promise<Integer> never = Task.promise();
        JoinHandle<Integer> waiting = runtime.spawn(new Coroutine<Integer>() {
            @Override
            public void resume(Step<Integer> step) {
                if (step.await(never)) {
                    step.complete(never.resultNow());
                }
            }
        });
        long start = System.nanoTime();
        runtime.close();
        long elapsed = System.nanoTime() - start;
        assertTrue(elapsed >= TimeUnit.MILLISECONDS.toNanos(90), "close waited its timeout: " + elapsed / 1_000_000 + " ms");
        assertTrue(waiting.isCancelled(), "then cancelled what was left");
    }

    @Test
    void thePausedClockIsReportedAndTheMetricsCount() {
        try (Runtime paused = Runtime.builder().workers(1).pausedClock().build()) {
            assertTrue(paused.isClockPaused());
        }
        try (Runtime runtime = Runtime.builder().workers(2).build()) {
            assertFalse(runtime.isClockPaused());
            RuntimeMetrics before = runtime.metrics();
            for (int i = 0; i < 100; i++) {
                runtime.spawn(() -> 0).join();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (runtime.metrics().liveTasks() != 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // a task is counted out just after its joiner wakes
            }
            RuntimeMetrics after = runtime.metrics();
            assertEquals(2, after.workers());
            assertTrue(after.polls() >= before.polls() + 100, "each task polled at least once: " + before + " → " + after);
            assertTrue(after.parks() > before.parks(), "workers parked between the tasks from outside");
            assertEquals(0, after.liveTasks(), "every task finished");
            assertTrue(after.parkedWorkers() + after.searchingWorkers() <= 2);
        }
    }

    @Test
    void abortAllCancelsEveryTaskOfAJoinSetAndTheirResultsArrive() {
        try (Runtime runtime = Runtime.builder().workers(2).build(); JoinSet<Integer> set = new JoinSet<>(runtime)) {
            Promise<Integer> never = Task.promise();
            for (int i = 0; i < 3; i++) {
                set.spawn(new Coroutine<Integer>() {
                    @Override
                    public void resume(Step<Integer> step) {
                        if (step.isCancelled()) {
                            return;
                        }
                        if (step.await(never)) {
                            step.complete(0);
                        }
                    }
                });
            }
            assertEquals(3, set.size());
            set.abortAll();
            for (int i = 0; i < 3; i++) {
                Task<Integer> next = set.next();
                assertThrows(CancellationException.class, next::join);
            }
            assertTrue(set.isEmpty());
        }
    }

    @Test
    void aFailedPromiseFailsOnceAndItsWaitersSeeTheCause() {
        Promise<Integer> promise = Task.promise();
        IllegalStateException cause = new IllegalStateException("no");
        assertTrue(promise.fail(cause));
        assertFalse(promise.fail(new IllegalStateException("again")), "finished already");
        assertFalse(promise.complete(1), "finished already");
        CompletionException e = assertThrows(CompletionException.class, promise::join);
        assertSame(cause, e.getCause());
    }

    @Test
    void raceOverACollectionOfRealTasksTakesTheFirstAndCancelsTheRest() {
        try (Runtime runtime = Runtime.builder().workers(2).build()) {
            Promise<String> slow = Task.promise();
            JoinHandle<String> fast = runtime.spawn(() -> "fast");
            Task<String> winner = runtime.blockOn(() -> Task.race(List.of(slow, fast)));
            assertEquals("fast", winner.join());
            assertTrue(slow.isCancelled(), "the loser is cancelled");
            assertInstanceOf(CancellationException.class, assertThrows(CancellationException.class, slow::join));
        }
    }
}
