package io.krill.net;

import io.krill.Task;
import io.krill.internal.net.StreamIo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The read half of a {@link TcpStream#split() split} stream (Tokio's {@code OwnedReadHalf}):
 * reads on one task while the {@link WriteHalf} writes on another. The socket closes when both
 * halves are closed; closing this one alone stops nothing on the wire. The methods behave as the
 * stream's do.
 */
public final class ReadHalf extends StreamHalf {

    ReadHalf(StreamIo io) {
        super(io);
    }

    /** @see TcpStream#read */
    public Task<Integer> read(MemorySegment buffer) {
        return io.read(buffer);
    }

    /** @see TcpStream#tryRead */
    public int tryRead(MemorySegment buffer) throws IOException {
        return io.tryRead(buffer);
    }

    /** @see TcpStream#readExact */
    public Task<Void> readExact(MemorySegment buffer) {
        return io.readExact(buffer);
    }

    /** @see TcpStream#readable */
    public Task<Void> readable() {
        return io.readable();
    }

    /** @see TcpStream#lines() */
    public LineReader lines() {
        io.io("lines");
        return new LineReader(this::read, io.peer().toString(), Arena.ofAuto().allocate(LineReader.DEFAULT_MAX_LINE_BYTES),
                StandardCharsets.UTF_8);
    }

    /** @see TcpStream#lines(MemorySegment, Charset) */
    public LineReader lines(MemorySegment buffer, Charset charset) {
        io.io("lines");
        return new LineReader(this::read, io.peer().toString(), buffer, charset);
    }

    /** Lets go of the socket, which closes once the write half has too. Idempotent. */
    @Override
    public void close() {
        if (io.retire()) {
            io.registration().release();
        }
    }
}
