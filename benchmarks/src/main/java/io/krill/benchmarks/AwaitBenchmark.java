package io.krill.benchmarks;

import io.krill.Coroutine;
import io.krill.Runtime;
import io.krill.Step;
import io.krill.Task;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * #15: what one await costs in each way of writing sequential code on Krill, per await (run with
 * {@code -prof gc} for bytes per await):
 * <ul>
 *   <li>{@code coroutine}: a {@link Coroutine} state machine awaiting in place
 *       ({@code step.await(task)}), the hand-written baseline;</li>
 *   <li>{@code then}: the same loop as {@code then} recursion, whose iterations are linked
 *       (constant space);</li>
 *   <li>{@code virtual}: a virtual thread calling {@code join()} on each task, parking itself
 *       until a worker finishes it.</li>
 * </ul>
 * {@code awaited}: {@code spawned}, a trivial task spawned for each await (from a worker it goes
 * to the local queue; from the virtual thread to the shared queue, waking the worker), or
 * {@code ready}, a task already finished (what the await itself costs). One worker, so the loop
 * and what it awaits share a thread as they would on a connection's worker.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class AwaitBenchmark {

    /**
     * Awaits per invocation: enough that the invocation's fixed cost (spawning the loop from the
     * benchmark thread, waking a parked worker, joining) is under a nanosecond per await. With
     * 1,000 it was not: on a quiet machine the worker's wake-up added about 50 ns per await.
     */
    static final int AWAITS = 100_000;
    private static final Task<Integer> READY = Task.completed(1);

    @Param({"coroutine", "then", "virtual"})
    public String style;

    @Param({"spawned", "ready"})
    public String awaited;

    private Runtime runtime;
    private boolean spawned;

    @Setup(Level.Trial)
    public void setUp() {
        runtime = Runtime.builder().workers(1).build();
        spawned = awaited.equals("spawned");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        runtime.shutdown(Duration.ofSeconds(10));
    }

    private Task<Integer> next() {
        return spawned ? runtime.spawn(() -> 1) : READY;
    }

    @Benchmark
    @OperationsPerInvocation(AWAITS)
    public int awaitLoop() throws InterruptedException {
        return switch (style) {
            case "coroutine" -> runtime.spawn(new Coroutine<Integer>() {
                int done;
                int sum;
                Task<Integer> pending;

                @Override
                public void resume(Step<Integer> step) {
                    for (;;) {
                        if (pending == null) {
                            if (done == AWAITS) {
                                step.complete(sum);
                                return;
                            }
                            pending = next();
                        }
                        if (!step.await(pending)) {
                            return;
                        }
                        sum += pending.resultNow();
                        pending = null;
                        done++;
                    }
                }
            }).join();
            case "then" -> runtime.blockOn(() -> thenLoop(0, 0)).join();
            case "virtual" -> {
                int[] sum = new int[1];
                Thread thread = Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < AWAITS; i++) {
                        sum[0] += next().join();
                    }
                });
                thread.join();
                yield sum[0];
            }
            default -> throw new IllegalArgumentException("style " + style);
        };
    }

    private Task<Integer> thenLoop(int done, int sum) {
        if (done == AWAITS) {
            return Task.completed(sum);
        }
        return next().then(value -> thenLoop(done + 1, sum + value));
    }
}
