package io.krill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many threads against a runtime whose local queues hold 4 tasks, so that overflow, stealing
 * and the inject queue are exercised all the time: no task may run twice, run concurrently with
 * itself, or be lost.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RuntimeStressTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Runtime runtime = Runtime.builder().workers(4).localQueueCapacity(4).build();

    @AfterEach
    void tearDown() {
        assertTrue(runtime.shutdown(Duration.ofSeconds(10)));
        assertEquals(0, runtime.metrics().liveTasks());
    }

    @Test
    void spawnsFromEverywhereRunExactlyOnce() throws Exception {
        int outside = 4;
        int perThread = 5_000;
        int children = 3;
        int total = outside * perThread * (1 + children);
        AtomicIntegerArray runs = new AtomicIntegerArray(total);
        AtomicInteger nextId = new AtomicInteger();
        List<Task<Integer>> handles = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < outside; t++) {
            Thread thread = Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    int id = nextId.getAndIncrement();
                    handles.add(runtime.spawn(() -> {
                        runs.incrementAndGet(id);
                        List<Task<Integer>> kids = new ArrayList<>();
                        for (int k = 0; k < children; k++) { // spawned from a worker: local queue
                            int kid = nextId.getAndIncrement();
                            kids.add(Runtime.current().spawn(() -> runs.incrementAndGet(kid)));
                        }
                        return Task.all(kids).map(List::size);
                    }).then(kids -> kids));
                }
            });
            threads.add(thread);
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        Task.all(handles).join(WAIT);
        assertEquals(total, nextId.get());
        for (int i = 0; i < total; i++) {
            assertEquals(1, runs.get(i), "task " + i + " ran " + runs.get(i) + " times");
        }
    }

    @Test
    void aForkJoinTreeIsStolenAndCountedExactly() throws Exception {
        int depth = 12;
        for (int round = 0; round < 10 && (round == 0 || runtime.metrics().steals() == 0); round++) {
            AtomicInteger leaves = new AtomicInteger();
            assertEquals(1 << depth, runtime.spawn(() -> tree(depth, leaves)).join().join(WAIT));
            assertEquals(1 << depth, leaves.get());
        }
        assertTrue(runtime.metrics().steals() > 0, "idle workers steal from full queues: " + runtime.metrics());
    }

    /** Sums the leaves of a binary tree of tasks, each level spawned from a worker. */
    private static Task<Integer> tree(int depth, AtomicInteger leaves) {
        if (depth == 0) {
            leaves.incrementAndGet();
            return Task.completed(1);
        }
        Runtime here = Runtime.current();
        Task<Integer> left = here.spawn(() -> tree(depth - 1, leaves)).then(t -> t);
        Task<Integer> right = here.spawn(() -> tree(depth - 1, leaves)).then(t -> t);
        return Task.all(List.of(left, right)).map(both -> both.get(0) + both.get(1));
    }

    /** A coroutine that records if two workers ever run it at once. */
    private static final class Yielder implements Coroutine<Integer> {
        private final AtomicBoolean running = new AtomicBoolean();
        private final AtomicInteger overlaps;
        private final int yields;
        private int steps;

        Yielder(int yields, AtomicInteger overlaps) {
            this.yields = yields;
            this.overlaps = overlaps;
        }

        @Override
        public void resume(Step<Integer> step) {
            if (!running.compareAndSet(false, true)) {
                overlaps.incrementAndGet();
            }
            try {
                if (++steps == yields) {
                    step.complete(steps);
                } else {
                    step.yieldNow();
                }
            } finally {
                running.set(false);
            }
        }
    }

    @Test
    void yieldingTasksNeverRunTwiceAtOnceAndLoseNoStep() throws Exception {
        AtomicInteger overlaps = new AtomicInteger();
        List<Task<Integer>> handles = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            handles.add(runtime.spawn(new Yielder(1_000, overlaps)));
        }
        for (int steps : Task.all(handles).join(WAIT)) {
            assertEquals(1_000, steps);
        }
        assertEquals(0, overlaps.get());
    }

    @Test
    void wakesFromManyThreadsAreNeverLost() throws Exception {
        int count = 4_000;
        List<Promise<Integer>> promises = new ArrayList<>();
        List<Task<Integer>> waiters = new ArrayList<>();
        AtomicInteger overlaps = new AtomicInteger();
        for (int i = 0; i < count; i++) {
            Promise<Integer> promise = Task.promise();
            promises.add(promise);
            waiters.add(runtime.spawn(new Coroutine<Integer>() {
                private final AtomicBoolean running = new AtomicBoolean();

                @Override
                public void resume(Step<Integer> step) {
                    if (!running.compareAndSet(false, true)) {
                        overlaps.incrementAndGet();
                    }
                    try {
                        if (step.await(promise)) {
                            step.complete(promise.resultNow() + 1);
                        }
                    } finally {
                        running.set(false);
                    }
                }
            }));
        }
        // Half completed from outside threads, half from worker tasks, all at once.
        List<Thread> completers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int first = t;
            completers.add(Thread.ofPlatform().start(() -> {
                for (int i = first; i < count; i += 8) {
                    promises.get(i).complete(i);
                }
            }));
        }
        for (int t = 4; t < 8; t++) {
            int first = t;
            runtime.spawn(() -> {
                for (int i = first; i < count; i += 8) {
                    promises.get(i).complete(i);
                }
                return null;
            });
        }
        for (Thread thread : completers) {
            thread.join();
        }
        List<Integer> results = Task.all(waiters).join(WAIT);
        for (int i = 0; i < count; i++) {
            assertEquals(i + 1, results.get(i));
        }
        assertEquals(0, overlaps.get());
    }

    @Test
    void pingPongAcrossWorkersCompletesEveryRound() throws Exception {
        int pairs = 100;
        int rounds = 200;
        List<Task<Integer>> finals = new ArrayList<>();
        for (int p = 0; p < pairs; p++) {
            finals.add(pingPong(rounds));
        }
        for (int value : Task.all(finals).join(WAIT)) {
            assertEquals(rounds, value);
        }
    }

    /** Each round spawns a task that completes the promise the next round waits on. */
    private Task<Integer> pingPong(int rounds) {
        return runtime.spawn(() -> 0).then(start -> round(start, rounds));
    }

    private Task<Integer> round(int done, int rounds) {
        if (done == rounds) {
            return Task.completed(done);
        }
        Promise<Integer> pong = Task.promise();
        Runtime.current().spawn(() -> pong.complete(done + 1));
        return pong.then(next -> round(next, rounds));
    }
}
