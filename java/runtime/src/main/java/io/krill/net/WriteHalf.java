package io.krill.net;

import io.krill.Task;
import io.krill.internal.net.StreamIo;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * The write half of a {@link TcpStream#split() split} stream (Tokio's {@code OwnedWriteHalf}):
 * writes on one task while the {@link ReadHalf} reads on another. Closing it sends FIN (as
 * dropping Tokio's does), and the socket closes once the read half is closed too. The methods
 * behave as the stream's do.
 */
public final class WriteHalf extends StreamHalf {

    WriteHalf(StreamIo io) {
        super(io);
    }

    /** @see TcpStream#write */
    public Task<Integer> write(MemorySegment buffer) {
        return io.write(buffer);
    }

    /** @see TcpStream#tryWrite */
    public int tryWrite(MemorySegment buffer) throws IOException {
        return io.tryWrite(buffer);
    }

    /** @see TcpStream#writeAll */
    public Task<Void> writeAll(MemorySegment buffer) {
        return io.writeAll(buffer);
    }

    /** @see TcpStream#writable */
    public Task<Void> writable() {
        return io.writable();
    }

    /** Completes at once: writes are unbuffered. @see TcpStream#flush */
    public Task<Void> flush() {
        return io.flush();
    }

    /** Half-close: sends FIN now; the read half can still read. */
    public void shutdownOutput() throws IOException {
        io.shutdownOutput();
    }

    /**
     * Sends FIN (best effort: the peer may have gone), then lets go of the socket, which closes
     * once the read half has too. Idempotent.
     */
    @Override
    public void close() {
        if (io.retire()) {
            io.registration().shutdownOutputQuietly();
            io.registration().release();
        }
    }
}
