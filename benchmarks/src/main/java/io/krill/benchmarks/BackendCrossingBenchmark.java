package io.krill.benchmarks;

import com.sun.jna.Native;
import io.krill.internal.backend.Backends;
import io.krill.internal.jni.Errno;
import io.krill.internal.jni.NativeLibrary;
import io.krill.internal.jni.SockaddrDescriptor;
import io.krill.internal.jni.SocketNative;
import io.krill.internal.reactor.NativeIo;
import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
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
 * #14: what one crossing costs through each way Java reaches C, in one run: JNI (libkrill's
 * shims), JNA direct mapping (the portable backend) and an FFM downcall, plain and with
 * {@code Linker.Option.critical(false)}. Two calls: a trivial one (libkrill's no-op for JNI,
 * the C library's {@code abs} for the others: both a handful of instructions) and a 64-byte
 * write then read over a connected loopback TCP pair (two system calls each time; the
 * backends' {@code write} and {@code read}, FFM's {@code send} and {@code read}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class BackendCrossingBenchmark {

    /** JNA's direct mapping of the C library's {@code abs}: the same kind of binding as the backend's. */
    static final class JnaLibc {
        static {
            Native.register(JnaLibc.class, com.sun.jna.Platform.C_LIBRARY_NAME);
        }

        static native int abs(int value);
    }

    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int PAYLOAD = 64;

    private NativeLibrary library;
    private NativeIo jni;
    private NativeIo jna;
    private final MethodHandle ffmAbs = Ffm.downcall("abs", Ffm.INT_INT);
    private final MethodHandle ffmAbsCritical = Ffm.downcall("abs", Ffm.INT_INT, Linker.Option.critical(false));
    private final MethodHandle ffmRead = Ffm.downcall("read", Ffm.READ);
    private final MethodHandle ffmSend = Ffm.downcall("send", Ffm.SEND);
    private final MethodHandle ffmReadCritical = Ffm.downcall("read", Ffm.READ, Linker.Option.critical(false));
    private final MethodHandle ffmSendCritical = Ffm.downcall("send", Ffm.SEND, Linker.Option.critical(false));
    private Arena arena;
    private MemorySegment buffer;
    private int client;
    private int server;
    private int listener;
    private int value = -17;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        library = NativeLibrary.load();
        jni = Backends.load("jni");
        jna = Backends.load("jna");
        JnaLibc.abs(1);
        arena = Arena.ofConfined();
        buffer = arena.allocate(PAYLOAD, 64);
        MemorySegment sockaddr = arena.allocate(SockaddrDescriptor.SIZE_BYTES, 8);
        listener = jni.open(SockaddrDescriptor.FAMILY_IPV4, SocketNative.STREAM);
        SockaddrDescriptor.write(sockaddr, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        check("bind", jni.bind(listener, sockaddr.address()));
        check("listen", jni.listen(listener, 4));
        check("getsockname", jni.localAddress(listener, sockaddr.address()));
        client = check("socket", jni.open(SockaddrDescriptor.FAMILY_IPV4, SocketNative.STREAM));
        int rc = jni.connect(client, sockaddr.address());
        if (rc != 0 && rc != -Errno.EINPROGRESS.number()) {
            check("connect", rc);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        do {
            server = jni.accept(listener, 0);
        } while (server == -Errno.EAGAIN.number() && System.nanoTime() < deadline);
        check("accept", server);
        check("connect", jni.finishConnect(client));
    }

    private static int check(String what, int rc) {
        if (rc < 0) {
            throw new IllegalStateException(what + " failed: errno " + -rc);
        }
        return rc;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        jni.close(client);
        jni.close(server);
        jni.close(listener);
        arena.close();
    }

    @Benchmark
    public int trivialJni() {
        return library.noop(value);
    }

    @Benchmark
    public int trivialJna() {
        return JnaLibc.abs(value);
    }

    @Benchmark
    public int trivialFfm() throws Throwable {
        return (int) ffmAbs.invokeExact(value);
    }

    @Benchmark
    public int trivialFfmCritical() throws Throwable {
        return (int) ffmAbsCritical.invokeExact(value);
    }

    private static int expect(long n) {
        if (n != PAYLOAD) {
            throw new IllegalStateException("expected " + PAYLOAD + " bytes, got " + n);
        }
        return (int) n;
    }

    @Benchmark
    public int readWriteJni() {
        expect(jni.write(client, buffer.address(), PAYLOAD));
        return expect(jni.read(server, buffer.address(), PAYLOAD));
    }

    @Benchmark
    public int readWriteJna() {
        expect(jna.write(client, buffer.address(), PAYLOAD));
        return expect(jna.read(server, buffer.address(), PAYLOAD));
    }

    @Benchmark
    public int readWriteFfm() throws Throwable {
        expect((long) ffmSend.invokeExact(client, buffer, (long) PAYLOAD, MSG_NOSIGNAL));
        return expect((long) ffmRead.invokeExact(server, buffer, (long) PAYLOAD));
    }

    @Benchmark
    public int readWriteFfmCritical() throws Throwable {
        expect((long) ffmSendCritical.invokeExact(client, buffer, (long) PAYLOAD, MSG_NOSIGNAL));
        return expect((long) ffmReadCritical.invokeExact(server, buffer, (long) PAYLOAD));
    }
}
