package io.krill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.sync.Mutex;
import io.krill.time.Time;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * #15: a loop written as {@code then} recursion runs in constant space. A {@code then} whose
 * function returns another pending {@code then} links it instead of waiting for it, so only the
 * current iteration is alive; these tests fail on a runtime that keeps one link per iteration
 * (the heap grows by the chain, the first link stays reachable, a cancel walks the chain).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ThenLoopTest {

    private final Runtime runtime = Runtime.builder().workers(1).build();

    @AfterEach
    void tearDown() {
        runtime.shutdown(Duration.ofSeconds(5));
    }

    /** {@code n} iterations of yield-then-recurse; {@code probe} runs when {@code n == at}. */
    private static Task<Long> tail(long n, long at, Runnable probe) {
        if (n == at) {
            probe.run();
        }
        if (n == 0) {
            return Task.completed(0L);
        }
        return Task.yieldNow().then(v -> tail(n - 1, at, probe));
    }

    /** Not a tail call: each level maps what the next returns, so each level is alive until then. */
    private static Task<Long> countDown(long n) {
        if (n == 0) {
            return Task.completed(0L);
        }
        return Task.yieldNow().then(v -> countDown(n - 1)).map(done -> done + 1);
    }

    /** The same without the map: each iteration's task is exactly a then returning the next. */
    private static Task<Long> loop(long n, long[] gcAt, long[] heapAt) {
        for (int i = 0; i < gcAt.length; i++) {
            if (n == gcAt[i]) {
                heapAt[i] = heapAfterGc();
            }
        }
        if (n == 0) {
            return Task.completed(0L);
        }
        return Task.yieldNow().then(v -> loop(n - 1, gcAt, heapAt));
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void tenMillionIterationsOfThenRecursionRunInBoundedHeap() {
        long iterations = 10_000_000;
        long[] at = {iterations - 100_000, 100_000}; // counted down: early, then late
        long[] heap = new long[2];
        Task<Long> root = runtime.blockOn(() -> loop(iterations, at, heap));
        assertEquals(0L, root.join());
        long growth = heap[1] - heap[0];
        System.out.printf("ThenLoopTest: heap after GC %,d B at iteration 100,000 and %,d B at 9,900,000 (growth %,d B)%n",
                heap[0], heap[1], growth);
        // A chain would hold 9.8 million links (tens of bytes each): hundreds of megabytes.
        assertTrue(growth < 16L << 20, "the heap grew by " + growth + " B over 9.8 million iterations");
        assertEquals(0, runtime.metrics().liveTasks(), "every iteration's tasks left the books");
    }

    @Test
    void aFinishedIterationIsGarbageWhileTheLoopGoesOn() {
        AtomicReference<WeakReference<Task<?>>> firstLink = new AtomicReference<>();
        List<Boolean> cleared = new ArrayList<>();
        Task<Long> root = runtime.blockOn(() -> {
            Task<Long> task = Task.yieldNow().then(v -> {
                Task<Long> next = tail(10_000, 1_000, () -> {
                    System.gc();
                    cleared.add(firstLink.get().get() == null);
                });
                firstLink.set(new WeakReference<>(next));
                return next;
            });
            return task;
        });
        assertEquals(0L, root.join());
        assertEquals(List.of(true), cleared, "iteration 1's link was still reachable at iteration 9,000");
    }

    @Test
    void aRecursionThatIsNotATailCallStillCompletesLevelByLevel() {
        assertEquals(100_000L, runtime.blockOn(() -> countDown(100_000)).join());
    }

    @Test
    void cancellingALongLoopCancelsWhatItWaitsForWithoutWalkingAChain() {
        Promise<Void> gate = Task.promise();
        gateReached = false;
        Task<Void> root = runtime.blockOn(() -> gated(1_000_000, gate));
        awaitUntil(() -> gateReached);
        assertTrue(root.cancel()); // a chain of a million links would overflow the stack here
        awaitUntil(gate::isCancelled); // the current link's source (at once, or when the step that made it ends)
        assertThrows(CancellationException.class, root::join);
        awaitUntil(() -> runtime.metrics().liveTasks() == 0);
    }

    private static volatile boolean gateReached;

    private static Task<Void> gated(int n, Task<Void> gate) {
        if (n == 0) {
            gateReached = true;
            return gate.then(v -> Task.completed(null));
        }
        return Task.yieldNow().then(v -> gated(n - 1, gate));
    }

    @Test
    void aLinkedTaskHeldByItsCallerSeesTheLoopsOutcome() {
        Promise<Integer> source = Task.promise();
        List<Object> seen = new ArrayList<>();
        AtomicReference<Task<Integer>> held = new AtomicReference<>();
        Task<Integer> root = runtime.blockOn(() -> Task.yieldNow().then(v -> {
            Task<Integer> inner = source.then(x -> Task.completed(x + 1));
            inner.whenComplete((value, failure) -> seen.add("before: " + value)); // waits on inner
            held.set(inner);
            return inner; // pending then: linked to root
        }));
        awaitUntil(() -> held.get() != null);
        Task<Integer> inner = held.get();
        inner.whenComplete((value, failure) -> seen.add("after: " + value)); // after the link
        assertFalse(inner.isDone());
        source.complete(41);
        assertEquals(42, root.join());
        assertEquals(42, inner.join());
        assertTrue(inner.isDone() && !inner.isCancelled());
        assertEquals(42, inner.resultNow());
        awaitUntil(() -> seen.size() == 2);
        assertTrue(seen.containsAll(List.of("before: 42", "after: 42")), seen.toString());
    }

    @Test
    void aLinkedFunctionThatThrowsFailsTheLoop() {
        IllegalStateException boom = new IllegalStateException("boom");
        Task<Integer> root = runtime.blockOn(() -> Task.yieldNow().then(v -> Task.yieldNow().then(w -> {
            throw boom;
        })));
        CompletionException failure = assertThrows(CompletionException.class, root::join);
        assertSame(boom, failure.getCause());
        awaitUntil(() -> runtime.metrics().liveTasks() == 0);
    }

    @Test
    void aLinkedSourceThatFailsFailsTheLoop() {
        IllegalStateException boom = new IllegalStateException("source");
        Task<Integer> root = runtime.blockOn(() -> Task.yieldNow().then(v ->
                Task.yieldNow().then(w -> Task.<Integer>failed(boom)).then(x -> Task.completed(x))));
        CompletionException failure = assertThrows(CompletionException.class, root::join);
        assertSame(boom, failure.getCause());
    }

    @Test
    void cancellingTheHeldLinkedTaskCancelsTheLoop() {
        Promise<Integer> source = Task.promise();
        AtomicReference<Task<Integer>> held = new AtomicReference<>();
        Task<Integer> root = runtime.blockOn(() -> Task.yieldNow().then(v -> {
            Task<Integer> inner = source.then(x -> Task.completed(x + 1));
            held.set(inner);
            return inner;
        }));
        awaitUntil(() -> held.get() != null);
        assertTrue(held.get().cancel());
        assertTrue(source.isCancelled(), "the linked task's source was stopped");
        awaitUntil(root::isCancelled);
        assertTrue(held.get().isCancelled());
    }

    @Test
    void sharedTasksAreLinkedOnceAndAwaitedByTheOthers() {
        Promise<Integer> source = Task.promise();
        AtomicReference<Task<Integer>> shared = new AtomicReference<>();
        List<Task<Integer>> roots = runtime.blockOn(() -> {
            Task<Integer> inner = source.then(x -> Task.completed(x * 2));
            shared.set(inner);
            return List.of(Task.yieldNow().then(v -> inner), Task.yieldNow().then(v -> inner),
                    Task.yieldNow().then(v -> inner));
        });
        source.complete(21);
        for (Task<Integer> root : roots) {
            assertEquals(42, root.join());
        }
        assertEquals(42, shared.get().join());
    }

    /**
     * #13's rule through links: a loop whose last link takes a lock, given up on by a timeout
     * at random moments while a hog keeps the lock busy, never loses a guard: afterwards the
     * lock is free, and every guard the loop got was closed.
     */
    @Test
    void aTimeoutRacingALockGrantAtTheEndOfALinkedLoopLosesNoGuard() {
        Runtime storm = Runtime.builder().workers(4).localQueueCapacity(4).build();
        try {
            Mutex<Integer> mutex = new Mutex<>(0);
            AtomicLong granted = new AtomicLong();
            AtomicLong timedOut = new AtomicLong();
            List<Task<Void>> contenders = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                contenders.add(storm.blockOn(() -> contend(mutex, 3_000, granted, timedOut)));
            }
            contenders.add(storm.blockOn(() -> hog(mutex, 3_000)));
            Task.all(contenders).join();
            System.out.println("ThenLoopTest lock storm: " + granted + " granted, " + timedOut + " timed out");
            assertTrue(granted.get() > 0 && timedOut.get() > 0, "the race was not run: " + granted + "/" + timedOut);
            Mutex.Guard<Integer> free = mutex.tryLock();
            assertNotNull(free, "a guard was lost: the lock is still held after the storm");
            assertEquals(granted.get() + 3_000, (long) free.get(), "a guard was handed to nobody");
            free.close();
        } finally {
            storm.shutdown(Duration.ofSeconds(5));
        }
    }

    /** {@code rounds} times: yield, then (linked) lock with a timeout of 0-2 ticks; count the outcome. */
    private static Task<Void> contend(Mutex<Integer> mutex, int rounds, AtomicLong granted, AtomicLong timedOut) {
        if (rounds == 0) {
            return Task.completed(null);
        }
        Duration limit = Duration.ofNanos(ThreadLocalRandom.current().nextLong(1, 2_000_000));
        Task<Mutex.Guard<Integer>> linked = Task.yieldNow().then(v -> Task.yieldNow().then(w -> mutex.lock()));
        return Time.timeout(limit, linked).handle((guard, failure) -> {
            if (guard != null) {
                guard.set(guard.get() + 1);
                guard.close();
                granted.incrementAndGet();
            } else {
                assertInstanceOf(TimeoutException.class, failure);
                timedOut.incrementAndGet();
            }
            return null;
        }).then(v -> contend(mutex, rounds - 1, granted, timedOut));
    }

    private static Task<Void> hog(Mutex<Integer> mutex, int rounds) {
        if (rounds == 0) {
            return Task.completed(null);
        }
        return mutex.lock().then(guard -> Time.sleep(Duration.ofNanos(ThreadLocalRandom.current().nextLong(1, 1_000_000)))
                .map(slept -> {
                    guard.set(guard.get() + 1);
                    guard.close();
                    return null;
                })).then(v -> hog(mutex, rounds - 1));
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.onSpinWait();
        }
    }
}
