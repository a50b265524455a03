package io.krill.benchmarks;

import io.krill.Coroutine;
import io.krill.Runtime;
import io.krill.Step;
import io.krill.Task;
import io.krill.sync.Mpsc;
import io.krill.sync.Mutex;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
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
 * Contended use, per operation: 4 tasks each taking a Mutex 1,000 times (vs 4 threads on a
 * ReentrantLock); {@code producers} tasks sending 10,000 messages in all through a bounded
 * channel of 1,024 to one receiving task (vs threads on an ArrayBlockingQueue of 1,024).
 * Krill runs on 2 workers; the JDK peers on platform threads; this machine has 2 cores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class SyncContendedBenchmark {

    static final int LOCKERS = 4;
    static final int LOCKS_EACH = 1_000;
    static final int MESSAGES = 10_000;

    @Param({"1", "4"})
    public int producers;

    private Runtime runtime;

    @Setup(Level.Trial)
    public void setUp() {
        runtime = Runtime.builder().workers(2).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        runtime.shutdown(Duration.ofSeconds(10));
    }

    /** Takes the mutex {@code LOCKS_EACH} times, awaiting each lock. */
    private static final class Locker implements Coroutine<Void> {
        private final Mutex<long[]> mutex;
        private int left = LOCKS_EACH;
        private Task<Mutex.Guard<long[]>> pending;

        Locker(Mutex<long[]> mutex) {
            this.mutex = mutex;
        }

        @Override
        public void resume(Step<Void> step) {
            while (left > 0) {
                if (pending == null) {
                    pending = mutex.lock();
                }
                if (!step.await(pending)) {
                    return;
                }
                try (Mutex.Guard<long[]> guard = pending.resultNow()) {
                    guard.get()[0]++;
                }
                pending = null;
                left--;
            }
            step.complete(null);
        }
    }

    @Benchmark
    @OperationsPerInvocation(LOCKERS * LOCKS_EACH)
    public long krillMutexContended() {
        Mutex<long[]> mutex = new Mutex<>(new long[1]);
        List<Task<Void>> lockers = new ArrayList<>();
        for (int i = 0; i < LOCKERS; i++) {
            lockers.add(runtime.spawn(new Locker(mutex)));
        }
        Task.all(lockers).join();
        return mutex.tryLock().get()[0];
    }

    @Benchmark
    @OperationsPerInvocation(LOCKERS * LOCKS_EACH)
    public long reentrantLockContended() throws InterruptedException {
        ReentrantLock lock = new ReentrantLock();
        long[] counter = new long[1];
        Thread[] threads = new Thread[LOCKERS];
        for (int i = 0; i < LOCKERS; i++) {
            threads[i] = Thread.ofPlatform().start(() -> {
                for (int k = 0; k < LOCKS_EACH; k++) {
                    lock.lock();
                    try {
                        counter[0]++;
                    } finally {
                        lock.unlock();
                    }
                }
            });
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return counter[0];
    }

    /** Sends its share of the messages, awaiting room when the channel is full. */
    private static final class Producer implements Coroutine<Void> {
        private final Mpsc.Sender<Integer> sender;
        private int left;
        private Task<Void> pending;

        Producer(Mpsc.Sender<Integer> sender, int count) {
            this.sender = sender;
            this.left = count;
        }

        @Override
        public void resume(Step<Void> step) {
            while (left > 0) {
                if (pending == null) {
                    pending = sender.send(left);
                }
                if (!step.await(pending)) {
                    return;
                }
                pending = null;
                left--;
            }
            sender.close();
            step.complete(null);
        }
    }

    /** Receives until every sender closed. */
    private static final class Consumer implements Coroutine<Long> {
        private final Mpsc.Receiver<Integer> receiver;
        private long count;
        private Task<Integer> pending;

        Consumer(Mpsc.Receiver<Integer> receiver) {
            this.receiver = receiver;
        }

        @Override
        public void resume(Step<Long> step) {
            for (;;) {
                if (pending == null) {
                    pending = receiver.recv();
                }
                if (!step.await(pending)) {
                    return;
                }
                Integer message = pending.resultNow();
                pending = null;
                if (message == null) {
                    step.complete(count);
                    return;
                }
                count++;
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public long krillMpsc() {
        Mpsc.Channel<Integer> channel = Mpsc.bounded(1_024);
        Task<Long> consumer = runtime.spawn(new Consumer(channel.receiver()));
        List<Mpsc.Sender<Integer>> senders = new ArrayList<>();
        senders.add(channel.sender());
        for (int p = 1; p < producers; p++) {
            senders.add(channel.sender().duplicate()); // all before any producer can finish and close
        }
        for (Mpsc.Sender<Integer> sender : senders) {
            runtime.spawn(new Producer(sender, MESSAGES / producers));
        }
        return consumer.join();
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public long arrayBlockingQueue() throws InterruptedException {
        ArrayBlockingQueue<Integer> queue = new ArrayBlockingQueue<>(1_024);
        Thread[] threads = new Thread[producers];
        for (int p = 0; p < producers; p++) {
            threads[p] = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < MESSAGES / producers; i++) {
                        queue.put(i);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        long count = 0;
        for (int i = 0; i < MESSAGES; i++) {
            queue.take();
            count++;
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return count;
    }
}
