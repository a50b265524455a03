package io.krill.benchmarks;

import io.krill.internal.backend.Backends;
import io.krill.internal.jni.Readiness;
import io.krill.internal.reactor.NativeIo;
import io.krill.internal.ring.SpscRing;
import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
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
 * #14: one worker's poll, {@code epoll_wait(timeout 0)} returning {@code ready} events into the
 * worker's ring and drained, through each backend's {@code epollWaitRing} (JNI: the shim widens
 * in C; JNA: a direct-mapped {@code epoll_wait}, widened in Java) and through an FFM downcall
 * widened in Java the way the JNA backend does (plain and critical). The descriptors are
 * level-triggered eventfds that stay readable, so every call returns a full batch.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class EpollWaitBenchmark {

    @Param({"0", "1", "64"})
    public int ready;

    /** x86-64's packed struct epoll_event; the benchmark runs where the JNA backend does. */
    private static final int EVENT_BYTES = 12;
    private static final int DATA_OFFSET = 4;

    private NativeIo jni;
    private NativeIo jna;
    private final MethodHandle ffmWait = Ffm.downcall("epoll_wait", Ffm.EPOLL_WAIT);
    private final MethodHandle ffmWaitCritical = Ffm.downcall("epoll_wait", Ffm.EPOLL_WAIT, Linker.Option.critical(false));
    private final SpscRing.EventHandler sink = (token, readiness, result) -> { };
    private Arena arena;
    private SpscRing ring;
    private MemorySegment events;
    private int epfd;
    private final List<Integer> eventfds = new ArrayList<>();

    @Setup(Level.Trial)
    public void setUp() {
        if (!io.krill.internal.jni.Platform.current().arch().equals("x86_64")) {
            throw new IllegalStateException("this benchmark's FFM path assumes x86-64's packed epoll_event");
        }
        jni = Backends.load("jni");
        jna = Backends.load("jna");
        arena = Arena.ofConfined();
        ring = SpscRing.allocate(arena, 256);
        events = arena.allocate((long) EVENT_BYTES * 256, 8);
        epfd = jni.epollCreate();
        for (int i = 0; i < ready; i++) {
            int efd = jni.eventfdCreate();
            eventfds.add(efd);
            jni.epollAdd(epfd, efd, Readiness.READABLE, i);
            jni.eventfdWrite(efd, 1);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (int efd : eventfds) {
            jni.close(efd);
        }
        jni.close(epfd);
        arena.close();
    }

    private int drained(int n) {
        if (n != ready) {
            throw new IllegalStateException("expected " + ready + " events, got " + n);
        }
        return ring.drain(sink, 256);
    }

    @Benchmark
    public int jni() {
        return drained(jni.epollWaitRing(epfd, ring.address(), 0));
    }

    @Benchmark
    public int jna() {
        return drained(jna.epollWaitRing(epfd, ring.address(), 0));
    }

    private int widen(int n) {
        for (int i = 0; i < n; i++) {
            long at = (long) i * EVENT_BYTES;
            SpscRing.putAt(ring.address(), i, events.get(ValueLayout.JAVA_LONG_UNALIGNED, at + DATA_OFFSET),
                    events.get(ValueLayout.JAVA_INT_UNALIGNED, at) & Readiness.READABLE, 0);
        }
        SpscRing.publishAt(ring.address(), n);
        return drained(n);
    }

    @Benchmark
    public int ffm() throws Throwable {
        return widen((int) ffmWait.invokeExact(epfd, events, 256, 0));
    }

    @Benchmark
    public int ffmCritical() throws Throwable {
        return widen((int) ffmWaitCritical.invokeExact(epfd, events, 256, 0));
    }
}
