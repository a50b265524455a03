package io.krill.net;

import io.krill.Task;
import io.krill.internal.jni.Readiness;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

/**
 * The write half of a {@link TcpStream#split() split} stream (Tokio's {@code OwnedWriteHalf}):
 * writes on one task while the {@link ReadHalf} reads on another. Closing it sends FIN (as
 * dropping Tokio's does), and the socket closes once the read half is closed too. The methods
 * behave as the stream's do.
 */
public final class WriteHalf extends StreamHalf {

    private static final Task<Void> FLUSHED = Task.completed(null);

    WriteHalf(Registration registration, InetSocketAddress peer) {
        super(registration, peer);
    }

    @Override
    String what() {
        return "write half";
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

    /** Closing the write half sends FIN first (best effort: the peer may have gone). */
    @Override
    void beforeRelease() {
        registration.shutdownOutputQuietly();
    }
}
