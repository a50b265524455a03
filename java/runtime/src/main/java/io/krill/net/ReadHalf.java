package io.krill.net;

import io.krill.Task;
import io.krill.internal.jni.Readiness;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The read half of a {@link TcpStream#split() split} stream (Tokio's {@code OwnedReadHalf}):
 * reads on one task while the {@link WriteHalf} writes on another. The socket closes when both
 * halves are closed; closing this one alone stops nothing on the wire. The methods behave as the
 * stream's do.
 */
public final class ReadHalf implements AutoCloseable {

    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(ReadHalf.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Registration registration;
    private final InetSocketAddress peer;
    /** Set once by {@link #close()} (CAS), so that the half lets go of the socket once. */
    private volatile boolean closed;

    ReadHalf(Registration registration, InetSocketAddress peer) {
        this.registration = registration;
        this.peer = peer;
    }

    private Registration io(String operation) {
        if (closed) {
            throw new IllegalStateException(operation + "(" + peer + "): this read half is closed");
        }
        registration.checkOpen(operation);
        return registration;
    }

    /** As {@link #io(String)}, after checking the buffer: a bad argument is reported first. */
    private Registration io(String operation, MemorySegment buffer) {
        Registration.lengthOf(buffer);
        return io(operation);
    }

    /** @see TcpStream#read */
    public Task<Integer> read(MemorySegment buffer) {
        return io("read", buffer).read(buffer);
    }

    /** @see TcpStream#tryRead */
    public int tryRead(MemorySegment buffer) throws IOException {
        return io("tryRead", buffer).tryRead(buffer);
    }

    /** @see TcpStream#readExact */
    public Task<Void> readExact(MemorySegment buffer) {
        return io("readExact", buffer).readExact(buffer, 0);
    }

    /** @see TcpStream#readable */
    public Task<Void> readable() {
        return io("readable").ready(Readiness.READABLE, "readable");
    }

    /** @see TcpStream#lines() */
    public LineReader lines() {
        io("lines");
        return new LineReader(this::read, peer.toString(), Arena.ofAuto().allocate(LineReader.DEFAULT_MAX_LINE_BYTES),
                StandardCharsets.UTF_8);
    }

    /** @see TcpStream#lines(MemorySegment, Charset) */
    public LineReader lines(MemorySegment buffer, Charset charset) {
        io("lines");
        return new LineReader(this::read, peer.toString(), buffer, charset);
    }

    public InetSocketAddress peerAddress() {
        return peer;
    }

    public InetSocketAddress localAddress() throws IOException {
        return io("localAddress").localAddress();
    }

    /** True until this half is closed or the socket is. */
    public boolean isOpen() {
        return !closed && registration.isOpen();
    }

    /** Lets go of the socket, which closes once the write half has too. Idempotent. */
    @Override
    public void close() {
        if (CLOSED.compareAndSet(this, false, true)) {
            registration.release();
        }
    }

    @Override
    public String toString() {
        return "ReadHalf[" + peer + (isOpen() ? "" : ", closed") + "]";
    }
}
