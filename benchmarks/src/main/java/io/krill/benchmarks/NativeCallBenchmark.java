package io.krill.benchmarks;

import io.krill.internal.jni.EpollNative;
import io.krill.internal.ring.EventRecordDescriptor;
import io.krill.internal.jni.NativeLibrary;
import io.krill.internal.jni.Readiness;
import io.krill.internal.jni.SocketNative;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * The cost of crossing into libkrill, and of one poll batch with {@code ready} ready
 * descriptors, next to the JDK's {@link Selector} doing the same work in the same run.
 *
 * <p>Both pollers watch {@code ready} level-triggered descriptors that stay readable (eventfds
 * for epoll, pipes for the Selector), so every call returns a full batch; the Selector's
 * selected-key set is cleared after each call, as a real loop must.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// JMH 1.37 itself calls sun.misc.Unsafe; allow it quietly so that warnings stay meaningful.
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class NativeCallBenchmark {

    @Param({"1", "64"})
    public int ready;

    private NativeLibrary library;
    private Arena arena;
    private MemorySegment records;
    private io.krill.internal.ring.SpscRing eventRing;
    private final io.krill.internal.ring.SpscRing.EventHandler sink = (token, readiness, result) -> { };
    private int epfd;
    private final List<Integer> eventfds = new ArrayList<>();
    private Selector selector;
    private final List<Pipe> pipes = new ArrayList<>();

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        library = NativeLibrary.load();
        arena = Arena.ofConfined();
        records = arena.allocate((long) EventRecordDescriptor.SIZE_BYTES * ready, EventRecordDescriptor.ALIGNMENT_BYTES);
        eventRing = io.krill.internal.ring.SpscRing.allocate(arena, 256);
        epfd = EpollNative.epollCreate();
        for (int i = 0; i < ready; i++) {
            int efd = EpollNative.eventfdCreate();
            eventfds.add(efd);
            EpollNative.epollAdd(epfd, efd, Readiness.READABLE, i);
            EpollNative.eventfdWrite(efd, 1);
        }
        selector = Selector.open();
        for (int i = 0; i < ready; i++) {
            Pipe pipe = Pipe.open();
            pipes.add(pipe);
            pipe.source().configureBlocking(false);
            pipe.source().register(selector, SelectionKey.OP_READ);
            pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        for (int efd : eventfds) {
            SocketNative.close(efd);
        }
        SocketNative.close(epfd);
        arena.close();
        selector.close();
        for (Pipe pipe : pipes) {
            pipe.source().close();
            pipe.sink().close();
        }
    }

    /** A JNI call that does nothing: the floor under every shim. */
    @Benchmark
    public int jniNoop() {
        return library.noop(ready);
    }

    /** One epoll_wait batch returning {@code ready} records: one crossing. */
    @Benchmark
    public int epollWaitBatch() {
        int n = EpollNative.epollWait(epfd, records.address(), ready, 0);
        if (n != ready) {
            throw new IllegalStateException("expected " + ready + " events, got " + n);
        }
        return n;
    }

    /** The same batch written straight into an off-heap SPSC ring, then drained in Java. */
    @Benchmark
    public int epollWaitIntoRing() {
        int n = EpollNative.epollWaitRing(epfd, eventRing.address(), 0);
        if (n != ready) {
            throw new IllegalStateException("expected " + ready + " events, got " + n);
        }
        return eventRing.drain(sink, n);
    }

    /**
     * The extra syscall per event that one-shot registration would cost (re-arming with
     * EPOLL_CTL_MOD); edge-triggered registration with readiness cached in the connection slot
     * needs none (see ConnectionTable).
     */
    @Benchmark
    public int epollCtlRearm() {
        return EpollNative.epollModify(epfd, eventfds.get(0), Readiness.READABLE | Readiness.ONESHOT, 0);
    }

    /** The JDK's Selector over the same number of ready descriptors. */
    @Benchmark
    public int selectorSelectNow() throws IOException {
        int n = selector.selectNow();
        selector.selectedKeys().clear();
        return n;
    }
}
