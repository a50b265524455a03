package io.krill.benchmarks;

import io.krill.Coroutine;
import io.krill.Promise;
import io.krill.Runtime;
import io.krill.Step;
import io.krill.Task;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tokio's runtime benchmarks ({@code benches/rt_multi_threaded.rs}) with the same parameters,
 * each next to the same work on the JDK's executors in the same run:
 * <ul>
 *   <li>spawnMany: 10,000 spawns from a task, each decrementing a counter; the last one
 *       signals. Reported per spawn.</li>
 *   <li>yieldMany: 200 tasks each yielding 1,000 times. Reported per yield.</li>
 *   <li>pingPong: 1,000 rounds of two tasks handing a oneshot back and forth. Per round.</li>
 *   <li>chainedSpawn: a task spawns the next, 1,000 deep. Per hop.</li>
 * </ul>
 * {@code impl}: {@code krill} (2 workers), {@code forkjoin} (a 2-thread ForkJoinPool, tasks
 * forked), {@code future} (CompletableFuture async stages on that pool), {@code virtual} (one
 * virtual thread per task; yield is Thread.yield()). pingPong has no separate ForkJoin form:
 * {@code forkjoin} runs the CompletableFuture one, as a pool has no oneshot of its own.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class RuntimeBenchmark {

    static final int WORKERS = 2;
    static final int NUM_SPAWN = 10_000;
    static final int NUM_YIELD = 1_000;
    static final int YIELD_TASKS = 200;
    static final int NUM_PINGS = 1_000;
    static final int CHAIN = 1_000;

    @Param({"krill", "forkjoin", "future", "virtual"})
    public String impl;

    private Runtime runtime;
    private ForkJoinPool pool;
    private ExecutorService virtualThreads;

    @Setup(Level.Trial)
    public void setUp() {
        runtime = Runtime.builder().workers(WORKERS).build();
        pool = new ForkJoinPool(WORKERS);
        virtualThreads = Executors.newVirtualThreadPerTaskExecutor();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        runtime.shutdown(Duration.ofSeconds(10));
        pool.shutdown();
        virtualThreads.shutdown();
    }

    // ---- spawn_many ------------------------------------------------------------------------

    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(NUM_SPAWN)
    public void spawnMany() throws Exception {
        switch (impl) {
            case "krill" -> runtime.blockOn(() -> {
                Promise<Void> done = Task.promise();
                AtomicInteger remaining = new AtomicInteger(NUM_SPAWN);
                Runtime here = Runtime.current();
                for (int i = 0; i < NUM_SPAWN; i++) {
                    here.spawn(() -> remaining.decrementAndGet() == 0 && done.complete(null));
                }
                return done;
            }).join();
            case "forkjoin" -> pool.submit(() -> {
                CountDownLatch done = new CountDownLatch(1);
                AtomicInteger remaining = new AtomicInteger(NUM_SPAWN);
                for (int i = 0; i < NUM_SPAWN; i++) {
                    ForkJoinTask.adapt(() -> {
                        if (remaining.decrementAndGet() == 0) {
                            done.countDown();
                        }
                    }).fork();
                }
                return done;
            }).get().await();
            case "future" -> CompletableFuture.supplyAsync(() -> {
                CompletableFuture<Void> done = new CompletableFuture<>();
                AtomicInteger remaining = new AtomicInteger(NUM_SPAWN);
                for (int i = 0; i < NUM_SPAWN; i++) {
                    CompletableFuture.runAsync(() -> {
                        if (remaining.decrementAndGet() == 0) {
                            done.complete(null);
                        }
                    }, pool);
                }
                return done;
            }, pool).join().join();
            case "virtual" -> {
                CountDownLatch done = new CountDownLatch(1);
                AtomicInteger remaining = new AtomicInteger(NUM_SPAWN);
                virtualThreads.submit(() -> {
                    for (int i = 0; i < NUM_SPAWN; i++) {
                        virtualThreads.execute(() -> {
                            if (remaining.decrementAndGet() == 0) {
                                done.countDown();
                            }
                        });
                    }
                });
                done.await();
            }
            default -> throw new IllegalArgumentException(impl);
        }
    }

    // ---- yield_many ------------------------------------------------------------------------

    /** A Krill task that yields {@code NUM_YIELD} times: state in a field, no allocation per yield. */
    static final class Yielder implements Coroutine<Void> {
        private int left = NUM_YIELD;
        private final AtomicInteger remaining;
        private final Promise<Void> done;

        Yielder(AtomicInteger remaining, Promise<Void> done) {
            this.remaining = remaining;
            this.done = done;
        }

        @Override
        public void resume(Step<Void> step) {
            if (--left > 0) {
                step.yieldNow();
                return;
            }
            if (remaining.decrementAndGet() == 0) {
                done.complete(null);
            }
            step.complete(null);
        }
    }

    /**
     * The ForkJoin twin: a yield re-submits the same Runnable to the pool (from a worker it goes
     * to that worker's queue; the pool wraps it in an adapter each time, which is its cost).
     * Re-forking a RecursiveAction from its own compute() is not an option: the pool marks the
     * task done when compute() returns, and the re-forked run is then skipped.
     */
    static final class ForkYielder implements Runnable {
        private int left = NUM_YIELD;
        private final ForkJoinPool pool;
        private final AtomicInteger remaining;
        private final CountDownLatch done;

        ForkYielder(ForkJoinPool pool, AtomicInteger remaining, CountDownLatch done) {
            this.pool = pool;
            this.remaining = remaining;
            this.done = done;
        }

        @Override
        public void run() {
            if (--left > 0) {
                pool.execute(this);
            } else if (remaining.decrementAndGet() == 0) {
                done.countDown();
            }
        }
    }

    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(YIELD_TASKS * NUM_YIELD)
    public void yieldMany() throws Exception {
        AtomicInteger remaining = new AtomicInteger(YIELD_TASKS);
        switch (impl) {
            case "krill" -> {
                Promise<Void> done = Task.promise();
                for (int i = 0; i < YIELD_TASKS; i++) {
                    runtime.spawn(new Yielder(remaining, done));
                }
                done.join();
            }
            case "forkjoin" -> {
                CountDownLatch done = new CountDownLatch(1);
                for (int i = 0; i < YIELD_TASKS; i++) {
                    pool.execute(new ForkYielder(pool, remaining, done));
                }
                done.await();
            }
            case "future" -> {
                CompletableFuture<?>[] all = new CompletableFuture<?>[YIELD_TASKS];
                for (int i = 0; i < YIELD_TASKS; i++) {
                    CompletableFuture<Void> chain = CompletableFuture.runAsync(() -> { }, pool);
                    for (int y = 1; y < NUM_YIELD; y++) {
                        chain = chain.thenRunAsync(() -> { }, pool); // a yield: back through the pool
                    }
                    all[i] = chain;
                }
                CompletableFuture.allOf(all).join();
            }
            case "virtual" -> {
                CountDownLatch done = new CountDownLatch(YIELD_TASKS);
                for (int i = 0; i < YIELD_TASKS; i++) {
                    virtualThreads.execute(() -> {
                        for (int y = 0; y < NUM_YIELD; y++) {
                            Thread.yield();
                        }
                        done.countDown();
                    });
                }
                done.await();
            }
            default -> throw new IllegalArgumentException(impl);
        }
    }

    // ---- ping_pong -------------------------------------------------------------------------

    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(NUM_PINGS)
    public void pingPong() throws Exception {
        AtomicInteger remaining = new AtomicInteger(NUM_PINGS);
        switch (impl) {
            case "krill" -> {
                Promise<Void> done = Task.promise();
                runtime.spawn(() -> {
                    Runtime here = Runtime.current();
                    for (int i = 0; i < NUM_PINGS; i++) {
                        here.spawn(new Coroutine<Void>() {
                            final Promise<Void> ping = Task.promise();
                            final Promise<Void> pong = Task.promise();
                            boolean started;

                            @Override
                            public void resume(Step<Void> step) {
                                if (!started) {
                                    started = true;
                                    here.spawn((Coroutine<Void>) peer -> {
                                        if (peer.await(ping)) {
                                            pong.complete(null);
                                            peer.complete(null);
                                        }
                                    });
                                    ping.complete(null);
                                }
                                if (step.await(pong)) {
                                    if (remaining.decrementAndGet() == 0) {
                                        done.complete(null);
                                    }
                                    step.complete(null);
                                }
                            }
                        });
                    }
                    return null;
                });
                done.join();
            }
            case "forkjoin", "future" -> {
                // The same shape on the pool: per round two spawned tasks, each waiting for the
                // other's oneshot by a continuation (the pool's way to await).
                CompletableFuture<Void> done = new CompletableFuture<>();
                CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < NUM_PINGS; i++) {
                        CompletableFuture.runAsync(() -> {
                            CompletableFuture<Void> ping = new CompletableFuture<>();
                            CompletableFuture<Void> pong = new CompletableFuture<>();
                            CompletableFuture.runAsync(() -> ping.thenRunAsync(() -> pong.complete(null), pool), pool);
                            ping.complete(null);
                            pong.thenRunAsync(() -> {
                                if (remaining.decrementAndGet() == 0) {
                                    done.complete(null);
                                }
                            }, pool);
                        }, pool);
                    }
                }, pool);
                done.join();
            }
            case "virtual" -> {
                CountDownLatch done = new CountDownLatch(1);
                virtualThreads.execute(() -> {
                    for (int i = 0; i < NUM_PINGS; i++) {
                        virtualThreads.execute(() -> {
                            CompletableFuture<Void> ping = new CompletableFuture<>();
                            CompletableFuture<Void> pong = new CompletableFuture<>();
                            virtualThreads.execute(() -> {
                                ping.join();
                                pong.complete(null);
                            });
                            ping.complete(null);
                            pong.join();
                            if (remaining.decrementAndGet() == 0) {
                                done.countDown();
                            }
                        });
                    }
                });
                done.await();
            }
            default -> throw new IllegalArgumentException(impl);
        }
    }

    // ---- chained_spawn ---------------------------------------------------------------------

    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(CHAIN)
    public void chainedSpawn() throws Exception {
        switch (impl) {
            case "krill" -> {
                Promise<Void> done = Task.promise();
                runtime.spawn(() -> krillChain(done, CHAIN));
                done.join();
            }
            case "forkjoin" -> {
                CountDownLatch done = new CountDownLatch(1);
                pool.execute(() -> forkChain(done, CHAIN));
                done.await();
            }
            case "future" -> {
                CompletableFuture<Void> done = new CompletableFuture<>();
                CompletableFuture.runAsync(() -> futureChain(done, CHAIN), pool);
                done.join();
            }
            case "virtual" -> {
                CountDownLatch done = new CountDownLatch(1);
                virtualThreads.execute(() -> virtualChain(done, CHAIN));
                done.await();
            }
            default -> throw new IllegalArgumentException(impl);
        }
    }

    private static boolean krillChain(Promise<Void> done, int n) {
        if (n == 0) {
            return done.complete(null);
        }
        Runtime.current().spawn(() -> krillChain(done, n - 1));
        return true;
    }

    private static void forkChain(CountDownLatch done, int n) {
        if (n == 0) {
            done.countDown();
        } else {
            ForkJoinTask.adapt(() -> forkChain(done, n - 1)).fork();
        }
    }

    private void futureChain(CompletableFuture<Void> done, int n) {
        if (n == 0) {
            done.complete(null);
        } else {
            CompletableFuture.runAsync(() -> futureChain(done, n - 1), pool);
        }
    }

    private void virtualChain(CountDownLatch done, int n) {
        if (n == 0) {
            done.countDown();
        } else {
            virtualThreads.execute(() -> virtualChain(done, n - 1));
        }
    }
}
