package io.krill.benchmarks;

import io.krill.Runtime;
import io.krill.RuntimeMetrics;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What a scrape costs the thread that asks (#15): a {@code metrics()} snapshot, and the snapshot
 * rendered as Prometheus text, on an idle runtime of {@code workers} workers. (What the counters
 * cost the workers that keep them is RuntimeBenchmark's and ReactorBenchmark's job, before and
 * after.)
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class MetricsBenchmark {

    @Param({"2", "16"})
    public int workers;

    private Runtime runtime;
    private RuntimeMetrics snapshot;

    @Setup(Level.Trial)
    public void setUp() {
        runtime = Runtime.builder().workers(workers).build();
        runtime.blockOn(() -> 0);
        snapshot = runtime.metrics();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        runtime.shutdown(Duration.ofSeconds(10));
    }

    @Benchmark
    public RuntimeMetrics snapshot() {
        return runtime.metrics();
    }

    @Benchmark
    public String render() {
        return snapshot.toPrometheus();
    }
}
