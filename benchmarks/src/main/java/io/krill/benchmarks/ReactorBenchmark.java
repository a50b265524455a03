package io.krill.benchmarks;

import io.krill.Coroutine;
import io.krill.Runtime;
import io.krill.Step;
import io.krill.Task;
import io.krill.internal.jni.EpollNative;
import io.krill.internal.jni.Readiness;
import io.krill.internal.reactor.ConnectionTable;
import io.krill.internal.reactor.Reactor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Round trips through the reactor, next to the JDK doing the same in the same run:
 * <ul>
 *   <li>wakeParkedWorker: a thread spawns a trivial task on an idle runtime and waits for it:
 *       the parked worker's wake-up, run, and the answer. Epoll: the worker sleeps in
 *       epoll_wait and is woken by an eventfd write; LockSupport: the parker without I/O.
 *       Peer: a thread blocked in {@code Selector.select()} woken by {@code wakeup()}.</li>
 *   <li>eventToTask: the benchmark thread writes an eventfd; the event reaches a parked worker
 *       through epoll and its ring, the readiness wakes a waiting task, which reads the eventfd
 *       and answers. Peer: a thread in {@code Selector.select()} on a pipe, woken by a one-byte
 *       write, reads it and answers.</li>
 * </ul>
 * Answers go back through LockSupport in both, so the difference is the path in between.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class ReactorBenchmark {

    private Runtime runtime;      // workers park in epoll_wait
    private Runtime lockRuntime;  // workers park on LockSupport
    private ConnectionTable table;
    private long token;
    private int eventfd;

    private Selector selector;
    private Pipe pipe;
    private Thread selectorThread;
    private volatile Thread waiter;
    private volatile long answers;
    private volatile boolean stop;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        runtime = Runtime.builder().workers(2).build();
        lockRuntime = Runtime.builder().workers(2).nativeParking(false).build();
        table = runtime.blockOn(Reactor::currentTable);
        token = runtime.blockOn(() -> Reactor.currentTable()
                .register(EpollNative.eventfdCreate(), Readiness.READABLE, Reactor.currentWorker()));
        eventfd = table.fd(token);
        selector = Selector.open();
        pipe = Pipe.open();
        pipe.source().configureBlocking(false);
        pipe.source().register(selector, SelectionKey.OP_READ);
        selectorThread = Thread.ofPlatform().start(this::selectLoop);
    }

    private void selectLoop() {
        ByteBuffer buffer = ByteBuffer.allocate(64);
        try {
            while (!stop) {
                selector.select();
                selector.selectedKeys().clear();
                buffer.clear();
                pipe.source().read(buffer); // 0 after a bare wakeup()
                answers++;
                LockSupport.unpark(waiter);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        stop = true;
        selector.wakeup();
        selectorThread.join();
        selector.close();
        pipe.sink().close();
        pipe.source().close();
        runtime.shutdown(Duration.ofSeconds(10));
        lockRuntime.shutdown(Duration.ofSeconds(10));
    }

    private void awaitAnswer(long before) {
        while (answers == before) {
            LockSupport.park(this);
        }
    }

    @Benchmark
    public int wakeParkedWorkerEpoll() {
        return runtime.spawn(() -> 1).join();
    }

    @Benchmark
    public int wakeParkedWorkerLockSupport() {
        return lockRuntime.spawn(() -> 1).join();
    }

    @Benchmark
    public long selectorWakeup() {
        waiter = Thread.currentThread();
        long before = answers;
        selector.wakeup();
        awaitAnswer(before);
        return answers;
    }

    /** Reads the eventfd when readable; else waits for the readiness (Tokio's loop). */
    private final class EventReader implements Coroutine<Long> {
        @Override
        public void resume(Step<Long> step) {
            for (;;) {
                long state = table.state(token);
                long value = EpollNative.eventfdRead(eventfd);
                if (value > 0) {
                    step.complete(value);
                    return;
                }
                table.clearReadiness(token, state, Readiness.READABLE);
                if (!step.await(table.waiters().ready(token, Readiness.READABLE))) {
                    return;
                }
            }
        }
    }

    @Benchmark
    public long eventToTask() {
        Task<Long> reader = runtime.spawn(new EventReader());
        EpollNative.eventfdWrite(eventfd, 1);
        return reader.join();
    }

    @Benchmark
    public long selectorEventToThread() throws IOException {
        waiter = Thread.currentThread();
        long before = answers;
        pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
        awaitAnswer(before);
        return answers;
    }
}
