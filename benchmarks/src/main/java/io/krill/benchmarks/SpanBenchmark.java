package io.krill.benchmarks;

import io.krill.Coroutine;
import io.krill.Runtime;
import io.krill.Span;
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
 * What tracing spans (#15's task-local context, {@link Span}) cost a task step, per step of a
 * coroutine that yields 1,000 times:
 * <ul>
 *   <li>{@code never}: no span was ever made in this JVM (each case runs in its own fork), so
 *       the poll path reads one static flag;</li>
 *   <li>{@code elsewhere}: spans exist, but this task has none: each step reads the
 *       thread-local and finds nothing to change;</li>
 *   <li>{@code inside}: the task runs in a span with two fields: each step enters and leaves
 *       it (thread-local and SLF4J MDC), as yielding hands the worker to other tasks.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class SpanBenchmark {

    static final int STEPS = 1_000;

    @Param({"never", "elsewhere", "inside"})
    public String span;

    private Runtime runtime;
    private Span request;

    @Setup(Level.Trial)
    public void setUp() {
        runtime = Runtime.builder().workers(1).build();
        if (!span.equals("never")) {
            request = Span.of("request", "id", "42", "peer", "127.0.0.1:5000");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        runtime.shutdown(Duration.ofSeconds(10));
    }

    @Benchmark
    @OperationsPerInvocation(STEPS)
    public int yieldingTask() {
        if (span.equals("inside")) {
            return request.inScope(() -> runtime.spawn(yielder())).join();
        }
        return runtime.spawn(yielder()).join();
    }

    private static Coroutine<Integer> yielder() {
        return new Coroutine<>() {
            int steps;

            @Override
            public void resume(Step<Integer> step) {
                if (++steps == STEPS) {
                    step.complete(steps);
                } else {
                    step.yieldNow();
                }
            }
        };
    }
}
