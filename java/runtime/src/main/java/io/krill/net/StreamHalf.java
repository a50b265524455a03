package io.krill.net;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;

/**
 * What the two halves of a {@link TcpStream#split() split} stream share: the socket's
 * registration, which closes once both halves let go of it, and the guard every call passes.
 */
abstract sealed class StreamHalf implements AutoCloseable permits ReadHalf, WriteHalf {

    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(StreamHalf.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Registration registration;
    final InetSocketAddress peer;
    /** Set once by {@link #close()} (CAS), so that the half lets go of the socket once. */
    private volatile boolean closed;

    StreamHalf(Registration registration, InetSocketAddress peer) {
        this.registration = registration;
        this.peer = peer;
    }

    /** "read half" or "write half", for messages. */
    abstract String what();

    /** The registration, for a call on this open half of an open socket. */
    final Registration io(String operation) {
        if (closed) {
            throw new IllegalStateException(operation + "(" + peer + "): this " + what() + " is closed");
        }
        registration.checkOpen(operation);
        return registration;
    }

    /** As {@link #io(String)}, after checking the buffer: a bad argument is reported first. */
    final Registration io(String operation, MemorySegment buffer) {
        Registration.lengthOf(buffer);
        return io(operation);
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

    /** Runs once, just before this half lets go of the socket. */
    void beforeRelease() {}

    /** Lets go of the socket, which closes once the other half has too. Idempotent. */
    @Override
    public void close() {
        if (CLOSED.compareAndSet(this, false, true)) {
            beforeRelease();
            registration.release();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + peer + (isOpen() ? "" : ", closed") + "]";
    }
}
