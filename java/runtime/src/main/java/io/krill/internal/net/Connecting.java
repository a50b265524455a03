package io.krill.internal.net;

import io.krill.internal.jni.Errno;
import io.krill.internal.errno.Errors;
import io.krill.internal.jni.SockaddrDescriptor;
import io.krill.internal.jni.SocketNative;
import io.krill.internal.jni.SocketOption;
import io.krill.internal.reactor.NativeIo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

/** The first half of every outbound TCP connect (Task API and handler API alike). */
public final class Connecting {

    private Connecting() {}

    /**
     * Opens a non-blocking socket with TCP_NODELAY on and starts connecting it to
     * {@code address}; the caller owns the returned descriptor, connected or in progress
     * (writable once it finishes).
     *
     * @param io   the runtime's system calls
     * @param what the operation, for messages ("connect(/127.0.0.1:80)")
     * @throws IOException naming {@code what}; no descriptor is left open
     */
    public static int start(NativeIo io, InetSocketAddress address, String what) throws IOException {
        int fd = io.open(SockaddrDescriptor.familyOf(address), SocketNative.STREAM);
        if (fd < 0) {
            throw Errors.newException("socket for " + what, fd);
        }
        int rc = io.setOption(fd, SocketOption.TCP_NODELAY.id(), 1);
        if (rc < 0) {
            io.close(fd);
            throw Errors.newException("setsockopt(TCP_NODELAY) for " + what, rc);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr = arena.allocate(SockaddrDescriptor.SIZE_BYTES, 8);
            SockaddrDescriptor.write(sockaddr, address);
            rc = io.connect(fd, sockaddr.address());
        }
        if (rc < 0 && rc != -Errno.EINPROGRESS.number()) {
            io.close(fd);
            throw Errors.newException(what, rc);
        }
        return fd;
    }
}
