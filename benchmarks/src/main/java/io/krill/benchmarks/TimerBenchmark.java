package io.krill.benchmarks;

import io.krill.Runtime;
import io.krill.Task;
import io.krill.internal.time.Clock;
import io.krill.internal.time.TimerEntry;
import io.krill.internal.time.TimerQueue;
import io.krill.time.Time;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Timers: Krill's per-worker wheel next to {@link ScheduledThreadPoolExecutor} (remove on
 * cancel) and Netty's {@link HashedWheelTimer} (1 ms ticks), in the same run.
 *
 * <ul>
 *   <li>insertCancel: schedule a timer one second out, then cancel it. Krill reuses one entry,
 *       on its owner thread (the path a task on a worker takes), including the end-of-step flush
 *       into the wheel.</li>
 *   <li>insertFire: Krill's owner path on a paused clock: schedule 1 ms out, advance 1 ms,
 *       fire.</li>
 *   <li>fireBatch: 1,000 timers of 1 ms each, created and awaited for real (threads, clocks and
 *       wake-ups included); per timer. Krill: sleeps created in one task on a 2-worker runtime.</li>
 *   <li>sleepAllocation: one {@code Time.sleep} created and cancelled inside a task: with
 *       {@code -prof gc}, the memory a pending timer costs.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class TimerBenchmark {

    static final int BATCH = 1_000;
    private static final Runnable NOTHING = () -> { };

    private Clock.PausedClock clock;
    private TimerQueue timers;
    private TimerEntry entry;
    private long fired;
    private ScheduledThreadPoolExecutor stpe;
    private HashedWheelTimer wheelTimer;
    private Runtime runtime;

    @Setup(Level.Trial)
    public void setUp() {
        clock = Clock.paused();
        timers = new TimerQueue(clock);
        timers.bindOwner(Thread.currentThread());
        entry = new TimerEntry(() -> fired++);
        stpe = new ScheduledThreadPoolExecutor(1);
        stpe.setRemoveOnCancelPolicy(true);
        wheelTimer = new HashedWheelTimer(1, TimeUnit.MILLISECONDS, 512);
        wheelTimer.start();
        runtime = Runtime.builder().workers(2).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        stpe.shutdownNow();
        wheelTimer.stop();
        runtime.shutdown(Duration.ofSeconds(10));
    }

    // ---- insert + cancel ------------------------------------------------------------------

    @Benchmark
    public boolean krillInsertCancel() {
        timers.schedule(entry, clock.nowNanos() + 1_000_000_000L);
        timers.flush();
        return entry.cancel();
    }

    @Benchmark
    public boolean stpeInsertCancel() {
        return stpe.schedule(NOTHING, 1, TimeUnit.SECONDS).cancel(false);
    }

    @Benchmark
    public boolean nettyInsertCancel() {
        return wheelTimer.newTimeout(timeout -> { }, 1, TimeUnit.SECONDS).cancel();
    }

    // ---- insert + fire (owner path, paused clock) --------------------------------------------

    @Benchmark
    public long krillInsertFire() {
        timers.schedule(entry, clock.nowNanos() + 1_000_000L);
        timers.flush();
        clock.advance(1_000_000L);
        timers.process();
        return fired;
    }

    // ---- real firing, batched -------------------------------------------------------------------

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void krillFireBatch() {
        runtime.blockOn(() -> {
            List<Task<Void>> sleeps = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
                sleeps.add(Time.sleep(Duration.ofMillis(1)));
            }
            return Task.all(sleeps);
        }).join();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void stpeFireBatch() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(BATCH);
        for (int i = 0; i < BATCH; i++) {
            stpe.schedule(done::countDown, 1, TimeUnit.MILLISECONDS);
        }
        done.await();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void nettyFireBatch() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(BATCH);
        for (int i = 0; i < BATCH; i++) {
            wheelTimer.newTimeout(timeout -> done.countDown(), 1, TimeUnit.MILLISECONDS);
        }
        done.await();
    }

    // ---- memory of a pending timer --------------------------------------------------------------

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void krillSleepAllocation() {
        runtime.blockOn(() -> {
            for (int i = 0; i < BATCH; i++) {
                Time.sleep(Duration.ofHours(1)).cancel();
            }
            return null;
        });
    }

    /** For -prof gc: the same thousand sleep-and-cancel pairs as one Netty Timeout each. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void nettyTimeoutAllocation() {
        for (int i = 0; i < BATCH; i++) {
            Timeout timeout = wheelTimer.newTimeout(t -> { }, 1, TimeUnit.HOURS);
            timeout.cancel();
        }
    }
}
