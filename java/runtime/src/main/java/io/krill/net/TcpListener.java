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

/** A listening TCP socket on Krill's reactor. Bind on a worker thread. */
public final class TcpListener implements AutoCloseable {

    /** Pending connections the kernel queues (guess: enough for a burst; somaxconn caps it). */
    static final int BACKLOG = 1024;

    private final ConnectionTable table;
    private final long token;
    private final int fd;
    private final InetSocketAddress local;

    private TcpListener(ConnectionTable table, long token, int fd, InetSocketAddress local) {
        this.table = table;
        this.token = token;
        this.fd = fd;
        this.local = local;
    }

    /**
     * Binds and listens on {@code address} (SO_REUSEADDR on; port 0 picks a free port).
     *
     * @throws AddressInUseException and the like, naming the address
     */
    public static TcpListener bind(InetSocketAddress address) throws IOException {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("address " + address + " is unresolved: resolve it first");
        }
        ConnectionTable table = Reactor.currentTable();
        int family = SockaddrDescriptor.familyOf(address);
        int fd = Errors.check("socket", SocketNative.open(family, SocketNative.STREAM));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr = arena.allocate(SockaddrDescriptor.SIZE_BYTES, 8);
            SockaddrDescriptor.write(sockaddr, address);
            Errors.check("setsockopt(SO_REUSEADDR)", SocketNative.setOption(fd, SocketOption.SO_REUSEADDR.id(), 1));
            Errors.check("bind(" + address + ")", SocketNative.bind(fd, sockaddr.address()));
            Errors.check("listen(" + address + ")", SocketNative.listen(fd, BACKLOG));
            Errors.check("getsockname", SocketNative.localAddress(fd, sockaddr.address()));
            InetSocketAddress bound = SockaddrDescriptor.read(sockaddr);
            long token = table.register(fd, Readiness.READABLE, Reactor.currentWorker());
            return new TcpListener(table, token, fd, bound);
        } catch (IOException | RuntimeException e) {
            SocketNative.close(fd);
            throw e;
        }
    }

    public InetSocketAddress localAddress() {
        return local;
    }

    /** The next incoming connection (TCP_NODELAY on), waiting for one when none is pending. */
    public Task<TcpStream> accept() {
        long state = table.state(token);
        int child;
        InetSocketAddress peer;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr = arena.allocate(SockaddrDescriptor.SIZE_BYTES, 8);
            child = SocketNative.accept(fd, sockaddr.address());
            peer = child >= 0 ? SockaddrDescriptor.read(sockaddr) : null;
        }
        if (child >= 0) {
            SocketNative.setOption(child, SocketOption.TCP_NODELAY.id(), 1);
            try {
                long childToken = table.register(child, Readiness.READABLE | Readiness.WRITABLE, Reactor.currentWorker());
                return Task.completed(new TcpStream(table, childToken, child, peer));
            } catch (IOException | RuntimeException e) {
                SocketNative.close(child);
                return Task.failed(e);
            }
        }
        if (child == -Errno.ECONNABORTED.number()) {
            return accept(); // the peer gave up before we took it: take the next one
        }
        if (child != -Errno.EAGAIN.number()) {
            return Task.failed(Errors.newException("accept(" + local + ")", child));
        }
        table.clearReadiness(token, state, Readiness.READABLE);
        return table.ready(token, Readiness.READABLE).then(ready -> accept());
    }

    @Override
    public void close() {
        table.deregister(token, true);
    }
}
