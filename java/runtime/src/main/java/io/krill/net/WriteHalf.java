package io.krill.net;

import io.krill.Task;
import io.krill.internal.jni.Readiness;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;

/**
 * The write half of a {@link TcpStream#split() split} stream (Tokio's {@code OwnedWriteHalf}):
 * writes on one task while the {@link ReadHalf} reads on another. Closing it sends FIN (as
 * dropping Tokio's does), and the socket closes once the read half is closed too. The methods
 * behave as the stream's do.
 */
public final class WriteHalf implements AutoCloseable {

    private static final VarHandle CLOSED;
    private static final Task<Void> FLUSHED = Task.completed(null);

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(WriteHalf.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Registration registration;
    private final InetSocketAddress peer;
    /** Set once by {@link #close()} (CAS), so that the half lets go of the socket once. */
    private volatile boolean closed;

    WriteHalf(Registration registration, InetSocketAddress peer) {
        this.registration = registration;
        this.peer = peer;
    }

    private Registration io(String operation) {
        if (closed) {
            throw new IllegalStateException(operation + "(" + peer + "): this write half is closed");
        }
        registration.checkOpen(operation);
        return registration;
    }

    /** As {@link #io(String)}, after checking the buffer: a bad argument is reported first. */
    private Registration io(String operation, MemorySegment buffer) {
        Registration.lengthOf(buffer);
        return io(operation);
    }

    /** @see TcpStream#write */
    public Task<Integer> write(MemorySegment buffer) {
        return io("write", buffer).write(buffer);
    }

    /** @see TcpStream#tryWrite */
    public int tryWrite(MemorySegment buffer) throws IOException {
        return io("tryWrite", buffer).tryWrite(buffer);
    }

    /** @see TcpStream#writeAll */
    public Task<Void> writeAll(MemorySegment buffer) {
        return io("writeAll", buffer).writeAll(buffer, 0);
    }

    /** @see TcpStream#writable */
    public Task<Void> writable() {
        return io("writable").ready(Readiness.WRITABLE, "writable");
    }

    /** Completes at once: writes are unbuffered. @see TcpStream#flush */
    public Task<Void> flush() {
        io("flush");
        return FLUSHED;
    }

    /** Half-close: sends FIN now; the read half can still read. */
    public void shutdownOutput() throws IOException {
        io("shutdownOutput").shutdownOutput();
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

    /**
     * Sends FIN (best effort: the peer may have gone) and lets go of the socket, which closes
     * once the read half has too. Idempotent.
     */
    @Override
    public void close() {
        if (CLOSED.compareAndSet(this, false, true)) {
            registration.shutdownOutputQuietly();
            registration.release();
        }
    }

    @Override
    public String toString() {
        return "WriteHalf[" + peer + (isOpen() ? "" : ", closed") + "]";
    }
}
