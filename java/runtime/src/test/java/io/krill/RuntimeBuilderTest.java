package io.krill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Every builder setting does what it says, with valid values (the invalid ones are refused in
 * RuntimeSurfaceTest), and the metrics' counters move as the runtime works.
 */
class RuntimeBuilderTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(5);
        }
    }

    private static List<String> liveThreadsNamed(String prefix) {
        List<String> names = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.isAlive() && thread.getName().startsWith(prefix)) {
                names.add(thread.getName());
            }
        }
        return names;
    }

    @Test
    void threadsAreNamedByThePrefixAndShutdownJoinsEveryOne() throws Exception {
        String prefix = "prefix-test-" + System.nanoTime() + "-";
        Runtime runtime = Runtime.builder().workers(2).threadNamePrefix(prefix).build();
        String worker = runtime.spawn(() -> Thread.currentThread().getName()).join(WAIT);
        String blocking = runtime.spawnBlocking(() -> Thread.currentThread().getName()).join(WAIT);
        assertTrue(worker.startsWith(prefix), worker);
        assertTrue(blocking.startsWith(prefix + "blocking-"), blocking);
        assertFalse(liveThreadsNamed(prefix).isEmpty());
        assertTrue(runtime.shutdown(WAIT));
        assertEquals(List.of(), liveThreadsNamed(prefix), "shutdown returns once every worker and blocking thread has ended");
    }

    @Test
    void theBlockingPoolRunsAtMostItsBoundAtOnceAndQueuesTheRest() throws Exception {
        try (Runtime runtime = Runtime.builder().workers(1).maxBlockingThreads(2).build()) {
            AtomicInteger running = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            CountDownLatch release = new CountDownLatch(1);
            List<JoinHandle<Integer>> handles = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int n = i;
                handles.add(runtime.spawnBlocking(() -> {
                    most.accumulateAndGet(running.incrementAndGet(), Math::max);
                    release.await();
                    running.decrementAndGet();
                    return n;
                }));
            }
            waitFor("two blocking tasks running", () -> running.get() == 2);
            Thread.sleep(50); // had the bound not held, the other three would be running by now
            assertEquals(2, running.get(), "the other three wait in the queue");
            release.countDown();
            for (int i = 0; i < 5; i++) {
                assertEquals(i, handles.get(i).join(WAIT));
            }
            assertEquals(2, most.get(), "never more than maxBlockingThreads at once");
        }
    }

    @Test
    void idleBlockingThreadsRetireAfterTheKeepAlive() throws Exception {
        String prefix = "keepalive-test-" + System.nanoTime() + "-";
        try (Runtime runtime = Runtime.builder().workers(1).threadNamePrefix(prefix)
                .blockingKeepAlive(Duration.ofMillis(50)).build()) {
            runtime.spawnBlocking(() -> 1).join(WAIT);
            waitFor("the idle blocking thread retired", () -> liveThreadsNamed(prefix + "blocking-").isEmpty());
            assertEquals(2, runtime.spawnBlocking(() -> 2).join(WAIT), "and a new one starts on demand");
        }
    }

    @Test
    void closeCancelsWhatOutlivesTheShutdownTimeout() throws Exception {
        Runtime runtime = Runtime.builder().workers(1).shutdownTimeout(Duration.ofMillis(100)).build();
        Promise<Void> never = Task.promise();
        JoinHandle<Void> stuck = runtime.spawn(() -> never.join());
        Task<Void> waiting = runtime.spawn(new Coroutine<Void>() {
            @Override
            public void resume(Step<Void> step) {
                if (step.await(never)) {
                    step.complete(null);
                }
            }
        });
        long started = System.nanoTime();
        runtime.close();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(tookMillis >= 90, "it gave the tasks their time first: " + tookMillis + " ms");
        assertTrue(tookMillis < 5_000, "it did not wait the 10 s default: " + tookMillis + " ms");
        assertTrue(waiting.isCancelled(), "the task still waiting was cancelled");
        assertThrows(CancellationException.class, waiting::resultNow);
        assertTrue(stuck.isDone(), stuck.toString());
    }

    @Test
    void aCoroutineSeesAnAbortThatComesDuringItsStepAndIsNotResumedAfter() throws Exception {
        try (Runtime runtime = Runtime.builder().workers(1).build()) {
            CountDownLatch inStep = new CountDownLatch(1);
            AtomicInteger steps = new AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean sawCancelled = new java.util.concurrent.atomic.AtomicBoolean();
            JoinHandle<Void> handle = runtime.spawn(new Coroutine<Void>() {
                @Override
                public void resume(Step<Void> step) {
                    steps.incrementAndGet();
                    assertFalse(step.isCancelled(), "not cancelled before the abort");
                    inStep.countDown();
                    long deadline = System.nanoTime() + WAIT.toNanos();
                    while (!step.isCancelled() && System.nanoTime() < deadline) {
                        Thread.onSpinWait(); // a long step: it may look and stop early
                    }
                    sawCancelled.set(step.isCancelled());
                    step.yieldNow(); // would run again, were it not cancelled
                }
            });
            assertTrue(inStep.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            handle.abort();
            waitFor("the step saw the abort", sawCancelled::get);
            assertTrue(handle.isCancelled());
            Thread.sleep(50);
            assertEquals(1, steps.get(), "a cancelled coroutine is not resumed again, though its step yielded");
            JoinHandle<Boolean> live = runtime.spawn(new Coroutine<Boolean>() {
                @Override
                public void resume(Step<Boolean> step) {
                    step.complete(step.isCancelled());
                }
            });
            assertFalse(live.join(WAIT), "a live coroutine is not cancelled");
        }
    }

    @Test
    void theClockIsPausedOnlyWhenAskedFor() {
        try (Runtime paused = Runtime.builder().workers(1).pausedClock().build();
             Runtime real = Runtime.builder().workers(1).build()) {
            assertTrue(paused.isClockPaused());
            assertFalse(real.isClockPaused());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> real.advanceClock(Duration.ofSeconds(1)));
            assertTrue(e.getMessage().contains("pausedClock"), e.getMessage());
            long before = paused.clockNanos();
            paused.advanceClock(Duration.ofSeconds(3));
            assertEquals(before + Duration.ofSeconds(3).toNanos(), paused.clockNanos(), "paused time moves only when told");
        }
    }

    /**
     * Runs a chain of tasks on one worker that never lets its local queue empty, injects one
     * task from outside, and returns how many chain links ran between the injection and the
     * injected task's start: the ticks the worker took to look at the shared queue.
     */
    private static long linksBeforeInjectedRuns(int globalQueueInterval) throws Exception {
        try (Runtime runtime = Runtime.builder().workers(1).globalQueueInterval(globalQueueInterval).build()) {
            AtomicInteger links = new AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            class Link implements java.util.concurrent.Callable<Void> {
                @Override
                public Void call() {
                    if (!stop.get()) {
                        Runtime.current().spawn(new Link()); // onto this worker's own queue
                        links.incrementAndGet();
                    }
                    return null;
                }
            }
            runtime.spawn(new Link());
            waitFor("the chain runs", () -> links.get() > 1_000);
            long injectedAt = links.get();
            long ranAt = runtime.spawn(() -> {
                stop.set(true);
                return (long) links.get();
            }).join(WAIT);
            return ranAt - injectedAt;
        }
    }

    @Test
    void theGlobalQueueIntervalBoundsHowLongOutsideWorkWaitsBehindABusyWorkersOwn() throws Exception {
        // The count includes the links that run while the test thread spawns (tens of
        // microseconds, a few hundred links; more if that thread is descheduled), hence the slack.
        long everyTick = linksBeforeInjectedRuns(1);
        assertTrue(everyTick <= 20_000, "at 1, the worker looks at the shared queue every tick: " + everyTick + " links ran first");
        // At 1,000,000 the injection lands at a random phase of the interval: it waits about
        // half of it on average, and under 100,000 ticks one time in ten; five tries.
        long rarely = 0;
        for (int attempt = 0; attempt < 5 && rarely <= 100_000; attempt++) {
            rarely = Math.max(rarely, linksBeforeInjectedRuns(1_000_000));
        }
        assertTrue(rarely > 100_000, "at 1,000,000, outside work waits behind the worker's own (the setting took effect): "
                + rarely + " links ran first");
    }

    @Test
    void metricsCountWorkersTasksPollsAndParks() throws Exception {
        try (Runtime runtime = Runtime.builder().workers(2).build()) {
            RuntimeMetrics start = runtime.metrics();
            assertEquals(2, start.workers());
            Promise<Void> gate = Task.promise();
            AtomicInteger parkedOnGate = new AtomicInteger();
            List<Task<Void>> waiting = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                waiting.add(runtime.spawn(new Coroutine<Void>() {
                    @Override
                    public void resume(Step<Void> step) {
                        if (step.await(gate)) {
                            step.complete(null);
                        } else {
                            parkedOnGate.incrementAndGet();
                        }
                    }
                }));
            }
            waitFor("ten tasks waiting on the gate", () -> parkedOnGate.get() == 10);
            assertTrue(runtime.metrics().liveTasks() >= 10, runtime.metrics().toString());
            gate.complete(null);
            for (Task<Void> task : waiting) {
                task.join(WAIT);
            }
            waitFor("no task live", () -> runtime.metrics().liveTasks() == 0);
            waitFor("both workers parked", () -> runtime.metrics().parkedWorkers() == 2);
            RuntimeMetrics idle = runtime.metrics();
            assertTrue(idle.polls() >= start.polls() + 20, "each task ran at least twice (wait, then finish): " + idle);
            assertTrue(idle.parks() > start.parks(), "idle workers went to sleep: " + idle);
            assertEquals(0, idle.injectQueueDepth(), idle.toString());
            assertEquals(0, idle.searchingWorkers(), "nobody searches when parked: " + idle);
        }
    }
}
