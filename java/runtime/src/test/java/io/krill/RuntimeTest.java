package io.krill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RuntimeTest {

    /** How long a failure may take to reach the hook: generous, for a loaded machine. */
    private static final long UNCAUGHT_WAIT_SECONDS = 10;

    /** What the hook received, in order: each test takes the reports it expects, and no more may come. */
    private final BlockingQueue<Throwable> uncaught = new LinkedBlockingQueue<>();
    private final Runtime runtime = Runtime.builder().workers(2).uncaughtExceptionHandler(uncaught::add).build();

    /**
     * The shutdown waits for the workers to exit, so every report the hook was going to get is
     * in: one that no test took is a failure reported twice, or one that should not have been.
     */
    @AfterEach
    void tearDown() {
        assertTrue(runtime.shutdown(Duration.ofSeconds(5)), "all tasks finished by themselves");
        assertEquals(List.of(), List.copyOf(uncaught), "reports to the hook that the test did not expect");
    }

    @Test
    void spawnRunsTheBodyOnAWorkerAndJoinReturnsItsValue() {
        JoinHandle<String> handle = runtime.spawn(() -> Thread.currentThread().getName());
        assertTrue(handle.join().startsWith("krill-worker-"), handle.join());
        assertTrue(handle.isFinished());
        assertFalse(handle.isCancelled());
    }

    @Test
    void aCoroutineRunsStepByStepUntilItCompletes() {
        int steps = runtime.blockOn(new Coroutine<Integer>() {
            int count;

            @Override
            public void resume(Step<Integer> step) {
                if (++count == 100) {
                    step.complete(count);
                } else {
                    step.yieldNow();
                }
            }
        });
        assertEquals(100, steps);
    }

    @Test
    void aCoroutineAwaitsAnotherTask() {
        Promise<String> promise = Task.promise();
        JoinHandle<String> handle = runtime.spawn(new Coroutine<String>() {
            @Override
            public void resume(Step<String> step) {
                if (step.await(promise)) {
                    step.complete("got " + promise.resultNow());
                }
            }
        });
        assertFalse(handle.isDone());
        promise.complete("it");
        assertEquals("got it", handle.join());
    }

    @Test
    void aCoroutineThatSaysNothingFailsInsteadOfHanging() {
        JoinHandle<Void> handle = runtime.spawn((Coroutine<Void>) step -> { });
        CompletionException e = assertThrows(CompletionException.class, handle::join);
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("would never run again"), e.getCause().getMessage());
        assertSame(e.getCause(), nextUncaught(), "the hook hears of it too");
    }

    @Test
    void blockOnAcceptsBodiesAndTasks() {
        assertEquals(42, runtime.blockOn(() -> 42));
        assertEquals("x", runtime.blockOn(Task.completed("x")));
    }

    @Test
    void waitingOnAWorkerIsRefusedWithAHint() {
        JoinHandle<Throwable> handle = runtime.spawn(() -> {
            try {
                Task.promise().join();
                return null;
            } catch (IllegalStateException e) {
                return e;
            }
        });
        Throwable refused = handle.join();
        assertTrue(refused.getMessage().contains("compose with map/then"), refused.getMessage());
        Throwable blockOn = runtime.spawn(() -> {
            try {
                runtime.blockOn(() -> 1);
                return null;
            } catch (IllegalStateException e) {
                return e;
            }
        }).join();
        assertTrue(blockOn.getMessage().contains("would block the worker"), blockOn.getMessage());
    }

    @Test
    void currentIsTheRuntimeOnItsWorkersAndItsVirtualThreadsOnly() throws InterruptedException {
        assertSame(runtime, runtime.spawn(Runtime::current).join());
        assertSame(runtime, runtime.spawnVirtual(Runtime::current).join(), "#15: a virtual thread of spawnVirtual");
        IllegalStateException e = assertThrows(IllegalStateException.class, Runtime::current);
        assertTrue(e.getMessage().contains("neither a Krill worker nor a virtual thread of runtime.spawnVirtual"), e.getMessage());
        // A virtual thread that a body starts by itself is not the runtime's: the scoped value is not inherited.
        java.util.concurrent.atomic.AtomicReference<Throwable> seen = new java.util.concurrent.atomic.AtomicReference<>();
        runtime.spawnVirtual(() -> {
            Thread.ofVirtual().start(() -> {
                try {
                    seen.set(new AssertionError("answered " + Runtime.current()));
                } catch (IllegalStateException expected) {
                    seen.set(expected);
                }
            }).join();
            return null;
        }).join();
        assertInstanceOf(IllegalStateException.class, seen.get());
    }

    @Test
    void aFailureReachesTheHandleAndTheHookAndTheWorkerLivesOn() {
        RuntimeException boom = new RuntimeException("boom");
        JoinHandle<Object> failing = runtime.spawn(() -> {
            throw boom;
        });
        CompletionException e = assertThrows(CompletionException.class, failing::join);
        assertSame(boom, e.getCause());
        assertSame(boom, failing.failureNow());
        assertSame(boom, nextUncaught());
        JoinHandle<Object> error = runtime.spawn(() -> {
            throw new AssertionError("an Error too");
        });
        Throwable thrown = assertThrows(CompletionException.class, error::join).getCause();
        assertInstanceOf(AssertionError.class, thrown);
        assertSame(thrown, nextUncaught(), "an Error reaches the hook too");
        for (int i = 0; i < 10; i++) {
            int n = i;
            assertEquals(n, runtime.spawn(() -> n).join(), "workers still run tasks");
        }
    }

    @Test
    void abortBeforeStartMeansTheBodyNeverRuns() throws InterruptedException {
        try (Runtime single = Runtime.builder().workers(1).build()) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            single.spawn(() -> {
                started.countDown();
                return release.await(5, TimeUnit.SECONDS); // holds the only worker, for this test
            });
            assertTrue(started.await(5, TimeUnit.SECONDS));
            AtomicBoolean ran = new AtomicBoolean();
            JoinHandle<Boolean> queued = single.spawn(() -> ran.getAndSet(true));
            assertTrue(queued.abort());
            assertFalse(queued.abort(), "only the first abort cancels");
            release.countDown();
            assertThrows(CancellationException.class, queued::join);
            assertTrue(queued.isCancelled());
            assertTrue(single.spawn(() -> true).join(), "the worker went on");
            assertFalse(ran.get());
        }
    }

    @Test
    void abortWhileRunningWinsOverTheStepsResult() throws InterruptedException {
        CountDownLatch inStep = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        JoinHandle<String> running = runtime.spawn((Coroutine<String>) step -> {
            inStep.countDown();
            release.await(5, TimeUnit.SECONDS); // holds the step open for the test
            step.complete("too late");
        });
        assertTrue(inStep.await(5, TimeUnit.SECONDS));
        assertTrue(running.abort());
        assertTrue(running.isDone(), "an aborted task is finished at once, even mid-step");
        release.countDown();
        assertThrows(CancellationException.class, running::join);
        assertEquals(1, runtime.spawn(() -> 1).join(), "the worker finished the step and went on");
    }

    @Test
    void abortWhileWaitingFinishesTheTaskAtOnce() {
        Promise<Void> never = Task.promise();
        JoinHandle<Void> waiting = runtime.spawn((Coroutine<Void>) step -> step.await(never));
        runtime.spawn(() -> 0).join(); // let the coroutine park on the promise (best effort)
        assertTrue(waiting.abort());
        assertThrows(CancellationException.class, waiting::join);
        assertFalse(never.isDone(), "aborting a task does not complete what it awaited");
    }

    @Test
    void mapThenAndHandleCompose() {
        Task<Integer> base = runtime.spawn(() -> 20);
        assertEquals(21, base.map(v -> v + 1).join());
        assertEquals("22", base.then(v -> runtime.spawn(() -> String.valueOf(v + 2))).join());
        Task<Integer> failed = runtime.spawn(() -> {
            throw new IllegalArgumentException("bad");
        });
        CompletionException e = assertThrows(CompletionException.class, () -> failed.map(v -> v + 1).join());
        assertInstanceOf(IllegalArgumentException.class, e.getCause(), "failures pass through map");
        assertSame(e.getCause(), nextUncaught(), "the spawned task's failure reaches the hook once, map or not");
        assertEquals("recovered from bad", failed.handle((v, t) -> "recovered from " + t.getMessage()).join());
        assertEquals("ok 20", base.handle((v, t) -> "ok " + v).join());
        Task<Integer> innerFails = base.then(v -> Task.failed(new IllegalStateException("inner")));
        assertInstanceOf(IllegalStateException.class, assertThrows(CompletionException.class, innerFails::join).getCause());
        Task<Integer> mapperThrows = base.map(v -> {
            throw new ArithmeticException("/0");
        });
        assertInstanceOf(ArithmeticException.class, assertThrows(CompletionException.class, mapperThrows::join).getCause());
    }

    /**
     * The next report to the hook. The hook runs after the task completed, so join may return
     * before it is called: wait for it, and fail if it does not come.
     */
    private Throwable nextUncaught() {
        try {
            Throwable report = uncaught.poll(UNCAUGHT_WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(report, "no report reached the hook in " + UNCAUGHT_WAIT_SECONDS + " s");
            return report;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // keep it for JUnit, which interrupts a test past its limit
            throw new AssertionError("interrupted waiting for the hook", e);
        }
    }

    @Test
    void cancellingADerivedTaskCancelsItsSource() {
        Promise<Integer> source = Task.promise();
        Task<Integer> mapped = source.map(v -> v * 2);
        assertTrue(mapped.cancel());
        assertTrue(source.isCancelled(), "cancellation propagates to the source");
        assertThrows(CancellationException.class, mapped::join);
    }

    @Test
    void allCollectsInOrderAndFailsFast() {
        Promise<String> slow = Task.promise();
        Task<List<String>> all = Task.all(List.of(runtime.spawn(() -> "a"), slow, Task.completed("c")));
        assertFalse(all.isDone());
        slow.complete("b");
        assertEquals(List.of("a", "b", "c"), all.join());
        assertEquals(List.of(), Task.all(List.<Task<String>>of()).join());

        Promise<String> pending = Task.promise();
        Task<List<String>> failing = Task.all(List.of(pending, Task.failed(new IllegalStateException("x"))));
        assertInstanceOf(IllegalStateException.class, assertThrows(CompletionException.class, failing::join).getCause());
        assertTrue(pending.isCancelled(), "the others are cancelled");
    }

    @Test
    void raceTakesTheFirstAndCancelsTheRest() {
        Promise<String> loser = Task.promise();
        Promise<String> winner = Task.promise();
        Task<String> race = Task.race(loser, winner);
        winner.complete("first");
        assertEquals("first", race.join());
        assertTrue(loser.isCancelled());
        Task<String> failedFirst = Task.race(Task.failed(new IllegalStateException("lost")), Task.promise());
        assertInstanceOf(IllegalStateException.class, assertThrows(CompletionException.class, failedFirst::join).getCause());
        assertThrows(IllegalArgumentException.class, () -> Task.race(List.<Task<String>>of()));
    }

    @Test
    void joinSetHandsOutResultsAsTheyFinish() {
        JoinSet<Integer> set = new JoinSet<>(runtime);
        {
            for (int i = 1; i <= 10; i++) {
                int n = i;
                set.spawn(() -> n);
            }
            assertEquals(10, set.size());
            int sum = 0;
            for (int i = 0; i < 10; i++) {
                sum += set.next().join();
            }
            assertEquals(55, sum);
            assertTrue(set.isEmpty());
            assertThrows(java.util.NoSuchElementException.class, set::next);

            Promise<Integer> never = Task.promise();
            JoinHandle<Integer> stuck = set.spawn((Coroutine<Integer>) step -> step.await(never));
            set.close();
            assertThrows(CancellationException.class, () -> set.next().join());
            assertTrue(stuck.isCancelled());
        }
    }

    @Test
    void completableFuturesConvertBothWays() throws Exception {
        assertEquals(7, runtime.spawn(() -> 7).toCompletableFuture().get(5, TimeUnit.SECONDS));
        java.util.concurrent.CompletableFuture<String> future = new java.util.concurrent.CompletableFuture<>();
        Task<String> task = Task.fromStage(future);
        assertFalse(task.isDone());
        future.complete("done");
        assertEquals("done", task.join());
        Task<String> failed = Task.fromStage(java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("f")));
        assertInstanceOf(IllegalStateException.class, failed.failureNow());
    }

    @Test
    void yieldNowGoesThroughTheQueueOnAWorkerAndIsDoneOffIt() {
        assertTrue(Task.yieldNow().isDone());
        assertEquals("after", runtime.spawn(() -> Task.yieldNow()).join().map(v -> "after").join());
    }

    @Test
    void readyAwaitsSpendTheBudgetThenYield() {
        try (Runtime small = Runtime.builder().workers(1).budget(4).build()) {
            Task<String> done = Task.completed("ready");
            List<Integer> readyInARow = small.blockOn(new Coroutine<List<Integer>>() {
                final List<Integer> runs = new java.util.ArrayList<>();

                @Override
                public void resume(Step<List<Integer>> step) {
                    int ready = 0;
                    while (step.await(done)) {
                        ready++;
                    }
                    runs.add(ready);
                    if (runs.size() == 3) {
                        step.complete(runs);
                    }
                }
            });
            assertEquals(List.of(4, 4, 4), readyInARow);
        }
    }

    @Test
    void spawnBlockingRunsOffTheWorkers() {
        JoinHandle<String> handle = runtime.spawnBlocking(() -> Thread.currentThread().getName());
        String name = handle.join();
        assertTrue(name.startsWith("krill-worker-blocking-"), name);
        assertEquals("chained", handle.map(n -> "chained").join());
    }

    @Test
    void builderRejectsBadSettingsNamingTheValue() {
        assertEquals("workers must be in [1, 32767], got 0",
                assertThrows(IllegalArgumentException.class, () -> Runtime.builder().workers(0)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Runtime.builder().localQueueCapacity(3))
                .getMessage().endsWith("got 3"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Runtime.builder().budget(0))
                .getMessage().endsWith("got 0"));
        assertThrows(IllegalArgumentException.class, () -> Runtime.builder().shutdownTimeout(Duration.ofSeconds(-1)));
    }

    @Test
    void shutdownLetsTasksFinishThenRefusesNewOnes() throws InterruptedException {
        Runtime own = Runtime.builder().workers(2).build();
        AtomicInteger finished = new AtomicInteger();
        for (int i = 0; i < 100; i++) {
            own.spawn(new Coroutine<Void>() {
                int steps;

                @Override
                public void resume(Step<Void> step) {
                    if (++steps == 50) {
                        finished.incrementAndGet();
                        step.complete(null);
                    } else {
                        step.yieldNow();
                    }
                }
            });
        }
        assertTrue(own.shutdown(Duration.ofSeconds(10)));
        assertEquals(100, finished.get());
        assertTrue(own.isShutdown());
        assertThrows(RejectedExecutionException.class, () -> own.spawn(() -> 1));
        assertTrue(own.shutdown(Duration.ZERO), "a second shutdown reports the first's result");
        assertEquals(0, own.metrics().liveTasks());
    }

    @Test
    void shutdownCancelsWhatIsStillWaitingAtTheDeadline() {
        Runtime own = Runtime.builder().workers(2).build();
        Promise<Void> never = Task.promise();
        JoinHandle<Void> stuck = own.spawn((Coroutine<Void>) step -> step.await(never));
        Task<String> after = stuck.map(v -> "never");
        assertFalse(own.shutdown(Duration.ofMillis(50)));
        assertThrows(CancellationException.class, stuck::join);
        assertThrows(CancellationException.class, after::join);
        assertEquals(0, own.metrics().liveTasks());
    }

    /**
     * Waiting tasks are recorded on the worker they went idle on, and move to a shared set when
     * a worker has more than its array holds (#19): both kinds, and tasks that waited and then
     * finished, must come out of shutdown right.
     */
    @Test
    void shutdownCancelsEveryTaskStillWaitingOnEitherWorkerHoweverMany() {
        Runtime own = Runtime.builder().workers(2).build();
        Promise<Void> never = Task.promise();
        List<Promise<Integer>> answered = new java.util.ArrayList<>();
        List<JoinHandle<Integer>> finished = new java.util.ArrayList<>();
        List<JoinHandle<Void>> stuck = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) { // several times a worker's array
            Promise<Integer> answer = Task.promise();
            answered.add(answer);
            finished.add(own.spawn(awaiting(answer)));
            stuck.add(own.spawn((Coroutine<Void>) step -> step.await(never)));
        }
        // Spawned from a worker too, so that both workers' arrays hold some.
        stuck.addAll(own.spawn(() -> {
            List<JoinHandle<Void>> more = new java.util.ArrayList<>();
            for (int i = 0; i < 30; i++) {
                more.add(Runtime.current().spawn((Coroutine<Void>) step -> step.await(never)));
            }
            return more;
        }).join());
        for (int i = 0; i < answered.size(); i++) {
            answered.get(i).complete(i);
        }
        for (int i = 0; i < finished.size(); i++) {
            assertEquals(i, finished.get(i).join());
        }
        assertFalse(own.shutdown(Duration.ofMillis(50)));
        for (JoinHandle<Void> task : stuck) {
            assertThrows(CancellationException.class, () -> task.join(Duration.ofSeconds(10)), "cancelled at shutdown");
        }
        for (int i = 0; i < finished.size(); i++) {
            assertEquals(i, finished.get(i).join(), "a task that finished keeps its value");
        }
        assertEquals(0, own.metrics().liveTasks());
    }

    /** The waiting registry releases tasks that finished, however few waited (a worker's array) or many (the shared set). */
    @Test
    void tasksThatWaitedAndFinishedAreNotHeldByTheRuntime() throws InterruptedException {
        for (int count : new int[] {1, 500}) {
            List<java.lang.ref.WeakReference<JoinHandle<Integer>>> done = waitThenFinish(count);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (done.stream().anyMatch(ref -> ref.get() != null) && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(10);
            }
            long held = done.stream().filter(ref -> ref.get() != null).count();
            assertEquals(0, held, held + " of " + count + " finished tasks still reachable");
        }
    }

    /**
     * The hard case for a per-worker registry: a task goes idle on worker A, then finishes on
     * worker B while A sleeps on. A must not hold it for ever (it wakes to sweep, #19).
     */
    @Test
    void aTaskThatFinishedElsewhereIsNotHeldByTheSleepingWorkerItWaitedOn() throws InterruptedException {
        Runtime own = Runtime.builder().workers(2).build();
        try {
            AtomicBoolean go = new AtomicBoolean();
            Promise<Integer> answer = Task.promise();
            // One step that holds worker B until told to go, then wakes the waiting task there.
            JoinHandle<Void> hog = own.spawn(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!go.get() && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                answer.complete(42); // from B: the task goes to B's LIFO slot, A is not woken
                return null;
            });
            while (own.metrics().parkedWorkers() != 1) {
                Thread.sleep(1); // B is in the hog's step, A asleep
            }
            java.lang.ref.WeakReference<JoinHandle<Integer>> ref = spawnAndGo(own, answer, go);
            hog.join();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ref.get() != null && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(10);
            }
            assertTrue(ref.get() == null, "the finished task is still reachable");
        } finally {
            own.close();
        }
    }

    /** Spawns a task waiting for {@code answer} (worker A runs it), lets it go idle, lets the hog go; keeps it weakly. */
    private static java.lang.ref.WeakReference<JoinHandle<Integer>> spawnAndGo(Runtime own, Promise<Integer> answer,
            AtomicBoolean go) throws InterruptedException {
        JoinHandle<Integer> task = own.spawn(awaiting(answer));
        // Polls first: once A has begun the task's step, one parked worker again means A
        // (B never leaves the hog's step) went back to sleep with the task recorded.
        while (own.metrics().polls() < 2 || own.metrics().parkedWorkers() != 1) {
            Thread.sleep(1);
        }
        go.set(true);
        assertEquals(42, task.join());
        return new java.lang.ref.WeakReference<>(task);
    }

    /** A coroutine that waits for {@code answer} and finishes with its value. */
    private static Coroutine<Integer> awaiting(Task<Integer> answer) {
        return step -> {
            if (step.await(answer)) {
                step.complete(answer.resultNow());
            }
        };
    }

    /** Spawns {@code count} tasks that wait, wakes them, joins them; keeps them only weakly. */
    private List<java.lang.ref.WeakReference<JoinHandle<Integer>>> waitThenFinish(int count) throws InterruptedException {
        List<Promise<Integer>> answers = new java.util.ArrayList<>();
        List<java.lang.ref.WeakReference<JoinHandle<Integer>>> refs = new java.util.ArrayList<>();
        List<JoinHandle<Integer>> tasks = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            Promise<Integer> answer = Task.promise();
            answers.add(answer);
            JoinHandle<Integer> task = runtime.spawn(awaiting(answer));
            tasks.add(task);
            refs.add(new java.lang.ref.WeakReference<>(task));
        }
        while (runtime.metrics().parkedWorkers() < 2) {
            Thread.sleep(1); // every task went idle: each worker recorded its own
        }
        for (int i = 0; i < count; i++) {
            answers.get(i).complete(i);
            assertEquals(i, tasks.get(i).join());
        }
        return refs;
    }

    @Test
    void workIsStolenByAnIdleWorker() {
        // Fewer tasks than the local queue holds, spawned from one worker: the other worker can
        // only get them by stealing. Rounds repeat in case the first worker drained them alone.
        for (int round = 0; round < 20 && runtime.metrics().steals() == 0; round++) {
            Task<Integer> total = runtime.spawn(() -> {
                List<Task<Integer>> parts = new java.util.ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    parts.add(Runtime.current().spawn(RuntimeTest::busyWork));
                }
                return Task.all(parts).map(List::size);
            }).join();
            assertEquals(100, total.join());
        }
        assertTrue(runtime.metrics().steals() > 0, runtime.metrics().toString());
    }

    private static int busyWork() {
        long x = 0;
        for (int k = 0; k < 50_000; k++) {
            x += k ^ (x >>> 3);
        }
        return (int) (x & 1);
    }
}
