package io.krill.net;

import io.krill.internal.net.StreamIo;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * What the two halves of a split stream share as faces: their {@link StreamIo} (the stream's
 * one implementation of reads and writes, with this half's own closed flag) and the accessors.
 * Not public: each half documents itself.
 */
abstract sealed class StreamHalf implements AutoCloseable permits ReadHalf, WriteHalf {

    final StreamIo io;

    StreamHalf(StreamIo io) {
        this.io = io;
    }

    public InetSocketAddress peerAddress() {
        return io.peer();
    }

    public InetSocketAddress localAddress() throws IOException {
        return io.localAddress();
    }

    /** True until this half is closed or the socket is. */
    public boolean isOpen() {
        return io.isOpen();
    }

    /** Lets go of this half (idempotent); the socket closes once both halves have. */
    @Override
    public abstract void close();

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + io.peer() + (isOpen() ? "" : ", closed") + "]";
    }
}
