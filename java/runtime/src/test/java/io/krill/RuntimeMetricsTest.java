package io.krill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * The breakdown of {@link Runtime#metrics()}: each worker's polls, parks, queue depth and busy
 * time, and the blocking pool's counts, against work whose shape the test knows. (The reactor's
 * numbers are checked over real sockets, on every backend, in {@code io.krill.net.ReactorMetricsTest}.)
 */
class RuntimeMetricsTest {

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

    private static long sum(RuntimeMetrics metrics, ToLongFunction<RuntimeMetrics.Worker> counter) {
        return metrics.perWorker().stream().mapToLong(counter).sum();
    }

    @Test
    void pollsOverTheWorkersCountEverySpawnedTaskAndAddUpToTheTotal() throws Exception {
        int tasks = 1_000;
        try (Runtime runtime = Runtime.builder().workers(2).build()) {
            RuntimeMetrics before = runtime.metrics();
            assertEquals(2, before.perWorker().size());
            List<JoinHandle<Integer>> handles = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                int n = i;
                handles.add(runtime.spawn(() -> n));
            }
            for (JoinHandle<Integer> handle : handles) {
                handle.join(WAIT);
            }
            RuntimeMetrics after = runtime.metrics();
            assertTrue(sum(after, RuntimeMetrics.Worker::polls) >= sum(before, RuntimeMetrics.Worker::polls) + tasks,
                    "each task ran at least one step: " + after);
            assertEquals(after.polls(), sum(after, RuntimeMetrics.Worker::polls), "the total is the workers' sum");
            assertEquals(after.steals(), sum(after, RuntimeMetrics.Worker::steals));
            assertEquals(after.parks(), sum(after, RuntimeMetrics.Worker::parks));
            for (int i = 0; i < 2; i++) {
                assertEquals(i, after.perWorker().get(i).index(), "in worker order");
            }
        }
    }

    @Test
    void aParkedWorkerThatIsWokenParksAgainAndCountsIt() throws Exception {
        try (Runtime runtime = Runtime.builder().workers(1).build()) {
            waitFor("the worker parked", () -> runtime.metrics().parkedWorkers() == 1
                    && runtime.metrics().perWorker().getFirst().parks() > 0);
            long parks = runtime.metrics().perWorker().getFirst().parks();
            assertEquals(42, runtime.blockOn(() -> 42), "woken for a task from outside");
            waitFor("the worker parked again", () -> runtime.metrics().perWorker().getFirst().parks() > parks);
            assertEquals(1, runtime.metrics().parkedWorkers());
        }
    }

    @Test
    void theLocalQueueDepthIsWhatTheWorkerQueuedAndNeverMoreThanItsCapacity() throws Exception {
        int capacity = 8;
        try (Runtime runtime = Runtime.builder().workers(1).localQueueCapacity(capacity).build()) {
            AtomicBoolean release = new AtomicBoolean();
            CountDownLatch queued = new CountDownLatch(1);
            JoinHandle<Void> spawner = runtime.spawn(() -> {
                // One worker, so nobody steals: the first child goes to the LIFO slot, and each
                // later one pushes the one before it into the queue.
                for (int i = 0; i < 5; i++) {
                    Runtime.current().spawn(() -> 0);
                }
                queued.countDown();
                while (!release.get()) {
                    Thread.onSpinWait(); // holds the worker, and its queue, still while the test looks
                }
                return null;
            });
            assertTrue(queued.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(4, runtime.metrics().perWorker().getFirst().localQueueDepth(), "four queued, one in the LIFO slot");
            release.set(true);
            spawner.join(WAIT);

            release.set(false);
            CountDownLatch overflowed = new CountDownLatch(1);
            JoinHandle<Void> flooder = runtime.spawn(() -> {
                for (int i = 0; i < 10 * capacity; i++) {
                    Runtime.current().spawn(() -> 0); // past the capacity: half the queue goes to the shared one
                }
                overflowed.countDown();
                while (!release.get()) {
                    Thread.onSpinWait();
                }
                return null;
            });
            assertTrue(overflowed.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            RuntimeMetrics flooded = runtime.metrics();
            int depth = flooded.perWorker().getFirst().localQueueDepth();
            assertTrue(depth >= 0 && depth <= capacity, "depth " + depth + " within [0, " + capacity + "]");
            assertTrue(flooded.injectQueueDepth() > 0, "the overflow went to the shared queue: " + flooded);
            release.set(true);
            flooder.join(WAIT);
            waitFor("the queue drained", () -> runtime.metrics().perWorker().getFirst().localQueueDepth() == 0);
        }
    }

    @Test
    void busyTimeGrowsWithWorkAndNeverPassesTheWallClock() throws Exception {
        long builtNanos = System.nanoTime();
        try (Runtime runtime = Runtime.builder().workers(2).build()) {
            RuntimeMetrics before = runtime.metrics();
            AtomicLong spunNanos = new AtomicLong();
            runtime.spawn(() -> {
                long start = System.nanoTime();
                while (System.nanoTime() - start < 50_000_000L) {
                    Thread.onSpinWait(); // a worker held awake for 50 ms: it cannot park meanwhile
                }
                spunNanos.set(System.nanoTime() - start);
                return null;
            }).join(WAIT);
            RuntimeMetrics after = runtime.metrics();
            long elapsedNanos = System.nanoTime() - builtNanos;
            long grew = sum(after, RuntimeMetrics.Worker::busyNanos) - sum(before, RuntimeMetrics.Worker::busyNanos);
            // The whole spin lies inside one worker's awake time. A snapshot read while that
            // worker woke can be a little behind (see BusyClock), hence half, not all of it.
            assertTrue(grew >= spunNanos.get() / 2, "busy time grew by " + grew + " ns over a " + spunNanos + " ns step");
            for (RuntimeMetrics.Worker worker : after.perWorker()) {
                assertTrue(worker.busyNanos() <= elapsedNanos, "worker " + worker.index() + " busy " + worker.busyNanos()
                        + " ns of the runtime's " + elapsedNanos + " ns");
                assertTrue(worker.busyNanos() >= before.perWorker().get(worker.index()).busyNanos(), "never backwards");
            }
        }
    }

    @Test
    void theBlockingPoolCountsItsThreadsWhatRunsWhatWaitsAndWhatEnded() throws Exception {
        try (Runtime runtime = Runtime.builder().workers(1).maxBlockingThreads(1).build()) {
            RuntimeMetrics.BlockingPool idle = runtime.metrics().blockingPool();
            assertEquals(1, idle.maxThreads());
            assertEquals(0, idle.busy());
            assertEquals(0, idle.completed());
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            JoinHandle<Integer> first = runtime.spawnBlocking(() -> {
                started.countDown();
                release.await();
                return 1;
            });
            assertTrue(started.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            JoinHandle<Integer> second = runtime.spawnBlocking(() -> 2); // its one thread is taken: it waits
            RuntimeMetrics.BlockingPool busy = runtime.metrics().blockingPool();
            assertEquals(1, busy.threads(), busy.toString());
            assertEquals(1, busy.busy(), busy.toString());
            assertEquals(1, busy.queued(), busy.toString());
            assertEquals(0, busy.completed(), busy.toString());
            release.countDown();
            assertEquals(1, first.join(WAIT));
            assertEquals(2, second.join(WAIT));
            RuntimeMetrics.BlockingPool done = runtime.metrics().blockingPool();
            assertEquals(2, done.completed(), "counted before each handle completed: " + done);
            assertEquals(0, done.busy(), done.toString());
            assertEquals(0, done.queued(), done.toString());
            assertTrue(done.threads() <= 1, done.toString());
        }
    }

    @Test
    void aRuntimeWithoutAPollerHasNoReactorButEveryWorker() throws Exception {
        try (Runtime runtime = Runtime.builder().workers(3).nativeParking(false).build()) {
            runtime.blockOn(() -> 0);
            RuntimeMetrics metrics = runtime.metrics();
            assertEquals("none", metrics.backend());
            assertEquals(RuntimeMetrics.Reactor.NONE, metrics.reactor());
            assertEquals(3, metrics.perWorker().size());
            assertTrue(metrics.polls() >= 1, metrics.toString());
        }
    }
}
