package io.krill.net;

import io.krill.NativeIoException;
import io.krill.Task;
import io.krill.internal.task.AbstractTask;
import io.krill.internal.task.OffWorker;
import io.krill.internal.task.WorkerContext;
import io.krill.internal.net.AcceptBackoff;
import io.krill.internal.net.AcceptWarning;
import io.krill.internal.net.Registration;
import io.krill.internal.jni.Errno;
import io.krill.internal.errno.Errors;
import io.krill.internal.jni.Readiness;
import io.krill.internal.jni.SockaddrDescriptor;
import io.krill.internal.jni.SocketNative;
import io.krill.internal.jni.SocketOption;
import io.krill.internal.reactor.ConnectionTable;
import io.krill.internal.reactor.NativeIo;
import io.krill.internal.reactor.Reactor;
import io.krill.time.Time;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * A listening TCP socket on Krill's reactor, IPv4 or IPv6. Bind on a worker thread (inside a
 * task), or on a virtual thread of {@link io.krill.Runtime#spawnVirtual}, where the bind runs on
 * a worker while the virtual thread waits; {@link #accept()} works from any thread.
 *
 * <p>When accepting fails for a reason that passes (the process or the system out of file
 * descriptors, {@code EMFILE}, {@code ENFILE}; the kernel short of buffers or memory,
 * {@code ENOBUFS}, {@code ENOMEM}; a connection broken in the queue, {@code EPROTO}; epoll out
 * of watches for the accepted socket, {@code ENOSPC}, which is then closed), {@link #accept()}
 * does not fail and does not spin: pending connections stay in the kernel's queue, and accept
 * tries again after a back-off (10 ms, doubling to 1 s, back to 10 ms after a success), logging
 * a warning once per listener and cause. Other failures ({@code EBADF}, {@code EINVAL} …) say
 * the listener is broken, and fail the accept.
 *
 * <p>One {@code accept} at a time may be pending on a listener (the reactor keeps one waiter
 * per direction); loop on it from one task.
 */
public final class TcpListener implements AutoCloseable {

    /** Pending connections the kernel queues (guess: enough for a burst; somaxconn caps it). */
    static final int BACKLOG = 1024;
    private static final AcceptWarning WARNING = new AcceptWarning(TcpListener.class.getName()); // made at class load: see its notes

    private final Registration registration;
    private final InetSocketAddress local;
    private final AcceptBackoff backoff = new AcceptBackoff(WARNING, "listener");
    /** Accepted streams nobody took (see {@link Accepted}), for the next accept; null until one is. */
    private volatile ArrayDeque<TcpStream> handedBack; // contents guarded by this

    private TcpListener(Registration registration, InetSocketAddress local) {
        this.registration = registration;
        this.local = local;
    }

    /**
     * Binds and listens on {@code address} (SO_REUSEADDR on, backlog {@value #BACKLOG}; port 0
     * picks a free port).
     *
     * @throws AddressInUseException and the like, naming the address
     */
    public static TcpListener bind(InetSocketAddress address) throws IOException {
        return builder().bind(address);
    }

    /** Options for {@link Builder#bind}: backlog, SO_REUSEPORT. */
    public static Builder builder() {
        return new Builder();
    }

    /** Listener options; {@link #bind} makes the listener. */
    public static final class Builder {

        private int backlog = BACKLOG;
        private boolean reusePort;

        private Builder() {}

        /** Connections the kernel queues before accept takes them (capped by {@code net.core.somaxconn}). */
        public Builder backlog(int connections) {
            if (connections <= 0) {
                throw new IllegalArgumentException("backlog must be positive, got " + connections);
            }
            this.backlog = connections;
            return this;
        }

        /**
         * SO_REUSEPORT: several listeners (of this process or others) bind the same address, and
         * the kernel spreads new connections over them. Off by default.
         */
        public Builder reusePort(boolean on) {
            this.reusePort = on;
            return this;
        }

        /**
         * Binds and listens on {@code address}, SO_REUSEADDR on. Off a worker (a virtual thread
         * of {@code spawnVirtual}), on a worker of that thread's runtime, waiting for it.
         *
         * @throws AddressInUseException and the like, naming the address
         * @throws IllegalStateException on a thread that belongs to no runtime
         */
        public TcpListener bind(InetSocketAddress address) throws IOException {
            Objects.requireNonNull(address, "address");
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("address " + address + " is unresolved: resolve it first");
            }
            if (WorkerContext.current() == null) {
                return OffWorker.call("TcpListener.bind", () -> bind(address)); // #15: back here, on a worker
            }
            ConnectionTable table = Reactor.currentTable();
            NativeIo io = table.io();
            int fd = Errors.check("socket for " + address, io.open(SockaddrDescriptor.familyOf(address), SocketNative.STREAM));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment sockaddr = arena.allocate(SockaddrDescriptor.SIZE_BYTES, 8);
                SockaddrDescriptor.write(sockaddr, address);
                Errors.check("setsockopt(SO_REUSEADDR) for " + address, io.setOption(fd, SocketOption.SO_REUSEADDR.id(), 1));
                if (reusePort) {
                    Errors.check("setsockopt(SO_REUSEPORT) for " + address, io.setOption(fd, SocketOption.SO_REUSEPORT.id(), 1));
                }
                Errors.check("bind(" + address + ")", io.bind(fd, sockaddr.address()));
                Errors.check("listen(" + address + ", backlog " + backlog + ")", io.listen(fd, backlog));
                Errors.check("getsockname(" + address + ")", io.localAddress(fd, sockaddr.address()));
                InetSocketAddress bound = SockaddrDescriptor.read(sockaddr);
                long token = table.register(fd, Readiness.READABLE, Reactor.currentWorker());
                return new TcpListener(new Registration(table, token, fd, bound.toString()), bound);
            } catch (IOException | RuntimeException e) {
                io.close(fd);
                throw e;
            }
        }
    }

    public InetSocketAddress localAddress() {
        return local;
    }

    /**
     * The next incoming connection (TCP_NODELAY on), waiting for one when none is pending.
     *
     * <p>Cancel-safe (as Tokio's): cancelled while it waits, it takes nothing from the kernel's
     * queue; a connection it accepted that nobody took (it lost a race, its continuation was
     * cancelled) is kept for the next {@code accept()}, and closed with the listener.
     *
     * <p>On a closed listener it returns a task failed with {@link SocketClosedException}, as
     * it fails a pending accept when the listener closes, and does not throw: a listener is
     * usually closed by another party to end its accept loop, and that close can fall between
     * two accepts as well as during one, so the loop needs one way to end, not two.
     *
     * @return a task failing with {@link SocketClosedException} if the listener is closed, or
     *     closes while it waits
     */
    public Task<TcpStream> accept() {
        if (!registration.isOpen()) {
            return Task.failed(new SocketClosedException("accept(" + local + "): the listener is closed"));
        }
        return acceptNext();
    }

    private Task<TcpStream> acceptNext() {
        if (handedBack != null) {
            TcpStream kept = takeHandedBack();
            if (kept != null) {
                return new Accepted(this, kept);
            }
        }
        for (;;) {
            int child;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment sockaddr = arena.allocate(SockaddrDescriptor.SIZE_BYTES, 8);
                child = registration.attempt(Registration.ACCEPT, sockaddr.address(), 0, Readiness.READABLE);
                if (child >= 0) {
                    return adopt(child, sockaddr);
                }
            }
            if (child == Registration.CLOSED_RESULT) {
                return Task.failed(registration.closedWhilePending("accept"));
            }
            if (child == -Errno.EAGAIN.number()) {
                return registration.table().waiters().ready(registration.token(), Readiness.READABLE).then(ready -> acceptNext());
            }
            if (child == -Errno.ECONNABORTED.number()) {
                continue; // the peer gave up before we took it: take the next one
            }
            AcceptBackoff.Cause cause = AcceptBackoff.ofAccept(child);
            if (cause == null) {
                return Task.failed(Errors.newException("accept(" + local + ")", child)); // the listener is broken
            }
            return backOff(cause);
        }
    }

    /**
     * Registers an accepted descriptor as a stream; closes it on failure, and backs off when
     * epoll refused it for want of watches or memory (the next accepted one would fare the same).
     */
    private Task<TcpStream> adopt(int child, MemorySegment peerSockaddr) {
        ConnectionTable table = registration.table();
        InetSocketAddress peer;
        long token;
        try {
            peer = SockaddrDescriptor.read(peerSockaddr);
            Errors.check("setsockopt(TCP_NODELAY) for " + peer, table.io().setOption(child, SocketOption.TCP_NODELAY.id(), 1));
        } catch (IOException | RuntimeException e) {
            table.io().close(child);
            return Task.failed(e);
        }
        try {
            // On one of this runtime's workers, the stream joins that worker's shard; from any other
            // thread (a virtual thread, main), the listener's own: accept() works from anywhere.
            int shard = Reactor.currentWorkerOr(table, table.ownerOf(registration.token()));
            token = table.register(child, Readiness.READABLE | Readiness.WRITABLE, shard);
        } catch (IOException | RuntimeException e) {
            table.io().close(child);
            AcceptBackoff.Cause cause = e instanceof NativeIoException refused ? AcceptBackoff.ofRegistration(refused.errno()) : null;
            return cause != null ? backOff(cause) : Task.failed(e);
        }
        backoff.reset();
        return new Accepted(this, new TcpStream(new Registration(table, token, child, peer.toString()), peer));
    }

    /**
     * An accepted connection: a born-completed task which, if nobody takes the stream (the
     * accept lost a race, its continuation was cancelled), gives it back to the listener for
     * the next accept, as Tokio's cancel-safe {@code accept} keeps it in the kernel's queue.
     */
    private static final class Accepted extends AbstractTask<TcpStream> {
        private final TcpListener listener;

        Accepted(TcpListener listener, TcpStream stream) {
            super(stream);
            this.listener = listener;
        }

        @Override
        protected void handBack(TcpStream stream) {
            listener.keep(stream);
        }
    }

    /** Keeps a stream nobody took for the next accept; closes it if the listener is closed. */
    private void keep(TcpStream stream) {
        synchronized (this) {
            if (registration.isOpen()) {
                if (handedBack == null) {
                    handedBack = new ArrayDeque<>(2);
                }
                handedBack.add(stream);
                return;
            }
        }
        stream.close();
    }

    private synchronized TcpStream takeHandedBack() {
        return handedBack.poll();
    }

    /** A failure that passes: wait (see {@link AcceptBackoff}), then accept again. */
    private Task<TcpStream> backOff(AcceptBackoff.Cause cause) {
        long delayMillis = backoff.next(cause, "accept(" + local + ")", null);
        return Time.sleep(Duration.ofMillis(delayMillis)).then(slept -> acceptNext());
    }

    /** Accepts that failed for a reason that passes, each followed by a back-off. */
    long acceptBackoffs() {
        return backoff.backoffs();
    }

    /** Closes the listener; a pending accept fails with {@link SocketClosedException}. Idempotent. */
    @Override
    public void close() {
        registration.close();
        ArrayDeque<TcpStream> kept;
        synchronized (this) {
            kept = handedBack;
            handedBack = null;
        }
        if (kept != null) {
            kept.forEach(TcpStream::close);
        }
    }

    @Override
    public String toString() {
        return "TcpListener[" + local + (registration.isOpen() ? "" : ", closed") + "]";
    }
}
