package io.krill.internal.net;

import io.krill.Task;
import io.krill.internal.jni.Readiness;
import io.krill.internal.jni.SocketOption;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;

/**
 * The stream operations of one face of a socket (a {@code TcpStream}, or one of its halves):
 * written once here, so that the stream and its halves cannot drift apart. Each face holds one;
 * a face is <em>retired</em> once (a stream by {@code split()}, a half by its {@code close()}),
 * after which every call on it throws {@link IllegalStateException} with the face's own reason.
 *
 * <p>Every operation checks its arguments first, then the face, then the socket, so a bad
 * argument is reported as such even on a closed socket.
 */
public final class StreamIo {

    private static final VarHandle RETIRED;

    static {
        try {
            RETIRED = MethodHandles.lookup().findVarHandle(StreamIo.class, "retired", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Shared by every flush: a finished task cannot change. */
    private static final Task<Void> FLUSHED = Task.completed(null);

    private final Registration registration;
    private final InetSocketAddress peer;
    /** Why a retired face refuses calls, e.g. "this stream was split: use its halves". */
    private final String retiredReason;
    /** Set once by {@link #retire()} (CAS); read by every call, from any thread. */
    private volatile boolean retired;

    public StreamIo(Registration registration, InetSocketAddress peer, String retiredReason) {
        this.registration = registration;
        this.peer = peer;
        this.retiredReason = retiredReason;
    }

    public Registration registration() {
        return registration;
    }

    public InetSocketAddress peer() {
        return peer;
    }

    /** Retires this face; true the first time only. */
    public boolean retire() {
        return RETIRED.compareAndSet(this, false, true);
    }

    public boolean isRetired() {
        return retired;
    }

    /** The registration, for a call on a live face of an open socket. */
    public Registration io(String operation) {
        if (retired) {
            throw new IllegalStateException(operation + "(" + peer + "): " + retiredReason);
        }
        registration.checkOpen(operation);
        return registration;
    }

    /**
     * As {@link #io(String)}, after checking the buffer ({@link NativeBuffers}): a bad argument
     * is reported first.
     */
    private Registration io(String operation, MemorySegment buffer, boolean kernelWrites, boolean mayWait) {
        NativeBuffers.check(buffer, kernelWrites, mayWait, operation);
        return io(operation);
    }

    /** True until the face is retired or the socket closed. */
    public boolean isOpen() {
        return !retired && registration.isOpen();
    }

    public Task<Integer> read(MemorySegment buffer) {
        return io("read", buffer, true, true).read(buffer);
    }

    public int tryRead(MemorySegment buffer) throws IOException {
        return io("tryRead", buffer, true, false).tryRead(buffer);
    }

    public Task<Void> readExact(MemorySegment buffer) {
        return io("readExact", buffer, true, true).readExact(buffer, 0);
    }

    public Task<Void> readable() {
        return io("readable").ready(Readiness.READABLE, "readable");
    }

    public Task<Integer> write(MemorySegment buffer) {
        return io("write", buffer, false, true).write(buffer);
    }

    public int tryWrite(MemorySegment buffer) throws IOException {
        return io("tryWrite", buffer, false, false).tryWrite(buffer);
    }

    public Task<Void> writeAll(MemorySegment buffer) {
        return io("writeAll", buffer, false, true).writeAll(buffer, 0);
    }

    public Task<Void> writable() {
        return io("writable").ready(Readiness.WRITABLE, "writable");
    }

    public Task<Void> flush() {
        io("flush");
        return FLUSHED;
    }

    public void shutdownOutput() throws IOException {
        io("shutdownOutput").shutdownOutput();
    }

    public InetSocketAddress localAddress() throws IOException {
        return io("localAddress").localAddress();
    }

    public void setOption(String operation, SocketOption option, int value) throws IOException {
        io(operation).setOption(option, value);
    }

    public int option(String operation, SocketOption option) throws IOException {
        return io(operation).option(option);
    }
}
