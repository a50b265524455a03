package io.krill.net;

import io.krill.Task;
import io.krill.internal.jni.Readiness;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The read half of a {@link TcpStream#split() split} stream (Tokio's {@code OwnedReadHalf}):
 * reads on one task while the {@link WriteHalf} writes on another. The socket closes when both
 * halves are closed; closing this one alone stops nothing on the wire. The methods behave as the
 * stream's do.
 */
public final class ReadHalf extends StreamHalf {


    ReadHalf(Registration registration, InetSocketAddress peer) {
        super(registration, peer);
    }

    @Override
    String what() {
        return "read half";
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
}
