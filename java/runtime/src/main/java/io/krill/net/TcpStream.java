package io.krill.net;

import io.krill.Task;
import io.krill.internal.jni.Errno;
import io.krill.internal.jni.Errors;
import io.krill.internal.jni.Readiness;
import io.krill.internal.jni.SockaddrDescriptor;
import io.krill.internal.jni.SocketNative;
import io.krill.internal.jni.SocketOption;
import io.krill.internal.reactor.ConnectionTable;
import io.krill.internal.reactor.Reactor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A TCP connection on Krill's reactor. Reads and writes return tasks that wait for readiness
 * instead of blocking; buffers are off-heap {@link MemorySegment}s, handed to the kernel
 * without a copy. Create with {@link #connect} or {@link TcpListener#accept()}, on a worker.
 */
public final class TcpStream implements AutoCloseable {

    private final ConnectionTable table;
    private final long token;
    private final int fd;
    private final InetSocketAddress peer;

    TcpStream(ConnectionTable table, long token, int fd, InetSocketAddress peer) {
        this.table = table;
        this.token = token;
        this.fd = fd;
        this.peer = peer;
    }

    /**
     * Connects to {@code address} (TCP_NODELAY on). Must run on a worker thread.
     *
     * @return a task failing with {@link ConnectionRefusedException} and the like on error
     */
    public static Task<TcpStream> connect(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            return Task.failed(new IllegalArgumentException("address " + address + " is unresolved: resolve it first"));
        }
        ConnectionTable table = Reactor.currentTable();
        int family = SockaddrDescriptor.familyOf(address);
        String what = "connect(" + address + ")";
        int fd = SocketNative.open(family, SocketNative.STREAM);
        if (fd < 0) {
            return Task.failed(Errors.newException("socket", fd));
        }
        int rc;
        try (Arena arena = Arena.ofConfined()) {
            SocketNative.setOption(fd, SocketOption.TCP_NODELAY.id(), 1);
            MemorySegment sockaddr = arena.allocate(SockaddrDescriptor.SIZE_BYTES, 8);
            SockaddrDescriptor.write(sockaddr, address);
            rc = SocketNative.connect(fd, sockaddr.address());
        }
        if (rc < 0 && rc != -Errno.EINPROGRESS.number()) {
            SocketNative.close(fd);
            return Task.failed(Errors.newException(what, rc));
        }
        long token;
        try {
            token = table.register(fd, Readiness.READABLE | Readiness.WRITABLE, Reactor.currentWorker());
        } catch (IOException e) {
            SocketNative.close(fd);
            return Task.failed(e);
        }
        TcpStream stream = new TcpStream(table, token, fd, address);
        if (rc == 0) {
            return Task.completed(stream);
        }
        return table.ready(token, Readiness.WRITABLE).then(ready -> {
            int result = SocketNative.finishConnect(fd);
            if (result < 0) {
                stream.close();
                return Task.failed(Errors.newException(what, result));
            }
            return Task.completed(stream);
        });
    }

    /**
     * Reads into {@code buffer} (an off-heap segment): the bytes read, waiting until some are
     * there, or -1 at end of stream.
     */
    public Task<Integer> read(MemorySegment buffer) {
        checkNative(buffer);
        long state = table.state(token);
        int n = SocketNative.read(fd, buffer.address(), (int) Math.min(buffer.byteSize(), Integer.MAX_VALUE));
        if (n > 0) {
            return Task.completed(n);
        }
        if (n == 0) {
            return Task.completed(-1);
        }
        if (n != -Errno.EAGAIN.number()) {
            return Task.failed(Errors.newException("read(" + peer + ")", n));
        }
        table.clearReadiness(token, state, Readiness.READABLE);
        return table.ready(token, Readiness.READABLE).then(ready -> read(buffer));
    }

    /** Writes some of {@code buffer}: the bytes written, waiting for room when there is none. */
    public Task<Integer> write(MemorySegment buffer) {
        checkNative(buffer);
        long state = table.state(token);
        int n = SocketNative.write(fd, buffer.address(), (int) Math.min(buffer.byteSize(), Integer.MAX_VALUE));
        if (n >= 0) {
            return Task.completed(n);
        }
        if (n != -Errno.EAGAIN.number()) {
            return Task.failed(Errors.newException("write(" + peer + ")", n));
        }
        table.clearReadiness(token, state, Readiness.WRITABLE);
        return table.ready(token, Readiness.WRITABLE).then(ready -> write(buffer));
    }

    /** Writes all of {@code buffer}, as many times as it takes. */
    public Task<Void> writeAll(MemorySegment buffer) {
        if (buffer.byteSize() == 0) {
            return Task.completed(null);
        }
        return write(buffer).then(n -> writeAll(buffer.asSlice(n)));
    }

    /** Half-close: sends FIN; the peer reads end of stream, and this side can still read. */
    public void shutdownOutput() throws IOException {
        table.fd(token); // stale check: a closed stream throws IllegalStateException
        Errors.check("shutdown(" + peer + ")", SocketNative.shutdown(fd, SocketNative.SHUT_WRITE));
    }

    public InetSocketAddress peerAddress() {
        return peer;
    }

    /** The local end's address. */
    public InetSocketAddress localAddress() throws IOException {
        table.fd(token);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr = arena.allocate(SockaddrDescriptor.SIZE_BYTES, 8);
            Errors.check("getsockname", SocketNative.localAddress(fd, sockaddr.address()));
            return SockaddrDescriptor.read(sockaddr);
        }
    }

    public boolean isOpen() {
        return table.isCurrent(token);
    }

    /** Closes the connection; later calls throw IllegalStateException. Closing twice is harmless. */
    @Override
    public void close() {
        table.deregister(token, true);
    }

    private void checkNative(MemorySegment buffer) {
        if (!buffer.isNative()) {
            throw new IllegalArgumentException("buffer must be off-heap (Arena-allocated), got a heap segment");
        }
    }

    @Override
    public String toString() {
        return "TcpStream[" + peer + (isOpen() ? "" : ", closed") + "]";
    }
}
