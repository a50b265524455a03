package io.krill.benchmarks;

import io.krill.Task;
import io.krill.sync.Broadcast;
import io.krill.sync.Mpsc;
import io.krill.sync.Mutex;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Uncontended costs of the sync primitives next to java.util.concurrent in the same run, on
 * one thread: a lock/unlock; a send+receive of one message (mpsc unbounded and bounded, with
 * trySend/tryRecv and with the Task-returning send/recv, vs ArrayBlockingQueue and
 * LinkedTransferQueue); a broadcast to 4 subscribers each receiving it
 * (vs 4 ArrayBlockingQueues).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class SyncBenchmark {

    private static final Integer MESSAGE = 42;

    private final Mutex<Integer> mutex = new Mutex<>(0);
    private final ReentrantLock reentrantLock = new ReentrantLock();
    private final Mpsc.Channel<Integer> unbounded = Mpsc.unbounded();
    private final Mpsc.Channel<Integer> bounded = Mpsc.bounded(1024);
    private final ArrayBlockingQueue<Integer> arrayQueue = new ArrayBlockingQueue<>(1024);
    private final LinkedTransferQueue<Integer> transferQueue = new LinkedTransferQueue<>();
    private Task<Mutex.Guard<Integer>> keptLock;
    private Task<Integer> keptRecv;
    private final Broadcast<Integer> broadcast = new Broadcast<>(1024);
    private final Broadcast.Receiver<Integer>[] subscribers = subscribe(broadcast, 4);
    @SuppressWarnings("unchecked")
    private final ArrayBlockingQueue<Integer>[] fanOut = new ArrayBlockingQueue[] {
        new ArrayBlockingQueue<>(1024), new ArrayBlockingQueue<>(1024),
        new ArrayBlockingQueue<>(1024), new ArrayBlockingQueue<>(1024)};

    @SuppressWarnings("unchecked")
    private static Broadcast.Receiver<Integer>[] subscribe(Broadcast<Integer> channel, int count) {
        Broadcast.Receiver<Integer>[] receivers = new Broadcast.Receiver[count];
        for (int i = 0; i < count; i++) {
            receivers[i] = channel.subscribe();
        }
        return receivers;
    }

    @Benchmark
    public Integer krillMutexLockUnlock() {
        try (Mutex.Guard<Integer> guard = mutex.lock().resultNow()) {
            return guard.get();
        }
    }

    /** As krillMutexLockUnlock, keeping the task in a field as a coroutine awaiting it would. */
    @Benchmark
    public Integer krillMutexLockKeptTask() {
        keptLock = mutex.lock();
        try (Mutex.Guard<Integer> guard = keptLock.resultNow()) {
            return guard.get();
        }
    }

    @Benchmark
    public Integer krillMutexTryLock() {
        try (Mutex.Guard<Integer> guard = mutex.tryLock()) {
            return guard.get();
        }
    }

    @Benchmark
    public int reentrantLockUnlock() {
        reentrantLock.lock();
        try {
            return reentrantLock.getHoldCount();
        } finally {
            reentrantLock.unlock();
        }
    }

    @Benchmark
    public Integer krillMpscUnboundedSendRecv() {
        unbounded.sender().trySend(MESSAGE);
        return unbounded.receiver().tryRecv();
    }

    @Benchmark
    public Integer krillMpscBoundedSendRecv() {
        bounded.sender().trySend(MESSAGE);
        return bounded.receiver().tryRecv();
    }

    /** A permit reserved, then used: what a dropped-permit guard (a Cleaner registration) adds shows here. */
    @Benchmark
    public Integer krillMpscBoundedReserveSendRecv() {
        bounded.sender().reserve().resultNow().send(MESSAGE);
        return bounded.receiver().tryRecv();
    }

    /** The Task API: send returns a shared completed task, recv a completed one (scalar-replaced here). */
    @Benchmark
    public Integer krillMpscUnboundedSendRecvTasks() {
        unbounded.sender().send(MESSAGE);
        return unbounded.receiver().recv().resultNow();
    }

    @Benchmark
    public Integer krillMpscBoundedSendRecvTasks() {
        bounded.sender().send(MESSAGE);
        return bounded.receiver().recv().resultNow();
    }

    /** As krillMpscUnboundedSendRecvTasks, keeping the recv task in a field as a coroutine would. */
    @Benchmark
    public Integer krillMpscUnboundedRecvKeptTask() {
        unbounded.sender().send(MESSAGE);
        keptRecv = unbounded.receiver().recv();
        return keptRecv.resultNow();
    }

    @Benchmark
    public Integer arrayBlockingQueueOfferPoll() {
        arrayQueue.offer(MESSAGE);
        return arrayQueue.poll();
    }

    @Benchmark
    public Integer linkedTransferQueueOfferPoll() {
        transferQueue.offer(MESSAGE);
        return transferQueue.poll();
    }

    @Benchmark
    public int krillBroadcastTo4() {
        broadcast.send(MESSAGE);
        int sum = 0;
        for (Broadcast.Receiver<Integer> receiver : subscribers) {
            sum += receiver.recv().resultNow();
        }
        return sum;
    }

    @Benchmark
    public int arrayQueuesFanOutTo4() {
        for (ArrayBlockingQueue<Integer> queue : fanOut) {
            queue.offer(MESSAGE);
        }
        int sum = 0;
        for (ArrayBlockingQueue<Integer> queue : fanOut) {
            sum += queue.poll();
        }
        return sum;
    }
}
