package io.krill.internal.jna;

import com.sun.jna.Native;
import io.krill.internal.executor.WorkerThread;
import io.krill.internal.jni.Errno;
import io.krill.internal.jni.Platform;
import io.krill.internal.jni.Readiness;
import io.krill.internal.jni.SockaddrDescriptor;
import io.krill.internal.jni.SocketNative;
import io.krill.internal.jni.SocketOption;
import io.krill.internal.ring.AddressSpace;
import io.krill.internal.reactor.NativeIo;
import io.krill.internal.ring.SpscRing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * {@link NativeIo} on the C library through JNA (Linux): the portable backend, for a JVM
 * without Krill's platform jar. It keeps the JNI shims' contract call for call (the same
 * {@code krill_sockaddr} and event records, the same results and {@code -errno}s, sockets
 * non-blocking and close-on-exec from birth, writes that never raise SIGPIPE), so that nothing
 * above the seam knows which backend runs; what the shims do in C (translating addresses,
 * widening epoll events into the ring) is done here in Java, on a per-thread scratch area.
 *
 * <p>Each call is one JNA direct-mapped crossing, several times the cost of a JNI one (see
 * README's backend table): this backend is for portability, not speed.
 */
public final class JnaNativeIo implements NativeIo {

    // ---- Linux's numbers: asm-generic, the same on x86-64 and AArch64 ------------------------

    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLLIN = 0x001;
    private static final int EPOLLPRI = 0x002;
    private static final int EPOLLOUT = 0x004;
    private static final int EPOLLERR = 0x008;
    private static final int EPOLLHUP = 0x010;
    private static final int EPOLLRDHUP = 0x2000;
    private static final int EPOLLONESHOT = 1 << 30;
    private static final int EPOLLET = 1 << 31;
    private static final int EFD_NONBLOCK = 0x800;
    private static final int EFD_CLOEXEC = 0x80000;

    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int IOV_MAX = 1024;
    private static final int SHUT_RD = 0;
    private static final int SHUT_WR = 1;
    private static final int SHUT_RDWR = 2;

    private static final int SOL_SOCKET = 1;
    private static final int IPPROTO_TCP = 6;
    private static final int IPPROTO_IPV6 = 41;

    /** errno values, by Krill's name: the table {@link Errno#bind} takes. */
    static final Map<String, Integer> ERRNO = Map.ofEntries(
            Map.entry("EPERM", 1), Map.entry("ENOENT", 2), Map.entry("EINTR", 4), Map.entry("EIO", 5),
            Map.entry("EBADF", 9), Map.entry("EAGAIN", 11), Map.entry("ENOMEM", 12), Map.entry("EACCES", 13),
            Map.entry("EFAULT", 14), Map.entry("EEXIST", 17), Map.entry("EINVAL", 22), Map.entry("ENFILE", 23),
            Map.entry("EMFILE", 24), Map.entry("ENOSPC", 28), Map.entry("EPIPE", 32), Map.entry("EPROTO", 71),
            Map.entry("ENOTSOCK", 88), Map.entry("EDESTADDRREQ", 89), Map.entry("EMSGSIZE", 90),
            Map.entry("ENOPROTOOPT", 92), Map.entry("EPROTONOSUPPORT", 93), Map.entry("EOPNOTSUPP", 95),
            Map.entry("EAFNOSUPPORT", 97), Map.entry("EADDRINUSE", 98), Map.entry("EADDRNOTAVAIL", 99),
            Map.entry("ENETDOWN", 100), Map.entry("ENETUNREACH", 101), Map.entry("ECONNABORTED", 103),
            Map.entry("ECONNRESET", 104), Map.entry("ENOBUFS", 105), Map.entry("EISCONN", 106),
            Map.entry("ENOTCONN", 107), Map.entry("ETIMEDOUT", 110), Map.entry("ECONNREFUSED", 111),
            Map.entry("EHOSTUNREACH", 113), Map.entry("EALREADY", 114), Map.entry("EINPROGRESS", 115));

    private static final int EINTR = ERRNO.get("EINTR");
    private static final int EIO = ERRNO.get("EIO");
    private static final int EINVAL = ERRNO.get("EINVAL");
    private static final int ENOBUFS = ERRNO.get("ENOBUFS");
    private static final int EINPROGRESS = ERRNO.get("EINPROGRESS");
    private static final int EAFNOSUPPORT = ERRNO.get("EAFNOSUPPORT");
    private static final int ENOPROTOOPT = ERRNO.get("ENOPROTOOPT");

    // ---- struct layouts (LP64 Linux) ----------------------------------------------------------

    /** sizeof(struct epoll_event): packed to 12 bytes on x86-64 only (__EPOLL_PACKED). */
    private final int epollEventSize;
    /** offsetof(struct epoll_event, data). */
    private final long epollDataOffset;

    private static final int SOCKADDR_STORAGE_BYTES = 128;
    private static final int SOCKADDR_IN_BYTES = 16;
    private static final int SOCKADDR_IN6_BYTES = 28;
    private static final int MSGHDR_BYTES = 56;
    private static final long MSGHDR_IOV_OFFSET = 16;
    private static final long MSGHDR_IOVLEN_OFFSET = 24;

    private static final ValueLayout.OfShort NET_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt NET_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** Events one wait takes at most, as the shim's KRILL_EPOLL_RING_BATCH. */
    static final int WAIT_BATCH = 256;

    // The scratch area, per thread: [events][sockaddr_storage][socklen_t][value][msghdr][ctl event].
    private static final long EVENTS_AT = 0;
    private static final long SOCKADDR_AT = EVENTS_AT + (long) WAIT_BATCH * 16;
    private static final long LENGTH_AT = SOCKADDR_AT + SOCKADDR_STORAGE_BYTES;
    private static final long VALUE_AT = LENGTH_AT + 8;
    private static final long MSGHDR_AT = VALUE_AT + 8;
    private static final long CTL_EVENT_AT = MSGHDR_AT + MSGHDR_BYTES;
    private static final long SCRATCH_BYTES = CTL_EVENT_AT + 16;

    /**
     * Off-heap scratch per calling thread (a worker, or a thread that binds or connects): no
     * call allocates, and no two threads share a buffer. Automatic arena: the memory goes when
     * the thread and its thread-local map do.
     */
    private static final ThreadLocal<MemorySegment> SCRATCH =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(SCRATCH_BYTES, 16));

    private static final MemorySegment MEMORY = AddressSpace.ALL;

    /** Lazy holder: JNA and libc bind on first use, under the class-initialisation lock. */
    private static final class Holder {
        static final JnaNativeIo INSTANCE;
        static final UnsatisfiedLinkError FAILURE;

        static {
            JnaNativeIo instance = null;
            UnsatisfiedLinkError failure = null;
            try {
                instance = create(Platform.current());
            } catch (UnsatisfiedLinkError e) {
                failure = e;
            }
            INSTANCE = instance;
            FAILURE = failure;
        }
    }

    private JnaNativeIo(Platform platform) {
        boolean packed = platform.arch().equals("x86_64");
        this.epollEventSize = packed ? 12 : 16;
        this.epollDataOffset = packed ? 4 : 8;
    }

    /**
     * Binds JNA and the C library if needed and returns the backend.
     *
     * @throws UnsatisfiedLinkError saying what is missing: JNA on the class path, its native
     *         dispatcher, or a platform this backend does not cover (only Linux so far)
     */
    public static NativeIo load() {
        if (Holder.FAILURE != null) {
            UnsatisfiedLinkError again = new UnsatisfiedLinkError(Holder.FAILURE.getMessage());
            again.initCause(Holder.FAILURE);
            throw again;
        }
        return Holder.INSTANCE;
    }

    @Override
    public String name() {
        return "jna";
    }

    private static JnaNativeIo create(Platform platform) {
        if (!platform.os().equals("linux")) {
            throw new UnsatisfiedLinkError("the JNA backend covers Linux only so far (epoll); on "
                    + platform.classifier() + " add the krill-native jar with classifier " + platform.classifier());
        }
        try {
            LinuxLibc.bind();
        } catch (NoClassDefFoundError e) {
            UnsatisfiedLinkError missing = new UnsatisfiedLinkError("JNA is not on the class path (" + e.getMessage()
                    + "): add net.java.dev.jna:jna 5.x, or krill-native with classifier " + platform.classifier());
            missing.initCause(e);
            throw missing;
        } catch (LinkageError | IllegalArgumentException e) { // JNA's dispatcher or libc did not load
            UnsatisfiedLinkError failed = new UnsatisfiedLinkError("JNA could not bind the C library: " + e);
            failed.initCause(e);
            throw failed;
        }
        Errno.bind(linuxErrnoTable(), LinuxLibc::strerror);
        return new JnaNativeIo(platform);
    }

    /** Linux's number for each {@link Errno}, in declaration order. */
    public static int[] linuxErrnoTable() {
        Errno[] names = Errno.values();
        int[] table = new int[names.length];
        for (Errno errno : names) {
            Integer number = ERRNO.get(errno.name());
            if (number == null) {
                throw new IllegalStateException("the JNA backend has no Linux number for " + errno);
            }
            table[errno.ordinal()] = number;
        }
        return table;
    }

    private static int errno() {
        return Native.getLastError();
    }

    private static long scratch() {
        return SCRATCH.get().address();
    }

    // ---- epoll and eventfd ----------------------------------------------------------------------

    @Override
    public int epollCreate() {
        WorkerThread.countCrossing();
        int fd = LinuxLibc.epoll_create1(EPOLL_CLOEXEC);
        return fd >= 0 ? fd : -errno();
    }

    @Override
    public int epollAdd(int epfd, int fd, int interest, long token) {
        WorkerThread.countCrossing();
        long event = scratch() + CTL_EVENT_AT;
        MEMORY.set(ValueLayout.JAVA_INT_UNALIGNED, event, toEpollEvents(interest));
        MEMORY.set(ValueLayout.JAVA_LONG_UNALIGNED, event + epollDataOffset, token);
        return LinuxLibc.epoll_ctl(epfd, EPOLL_CTL_ADD, fd, event) == 0 ? 0 : -errno();
    }

    @Override
    public int epollDelete(int epfd, int fd) {
        WorkerThread.countCrossing();
        long event = scratch() + CTL_EVENT_AT; // non-NULL, as the shim passes, for old kernels
        return LinuxLibc.epoll_ctl(epfd, EPOLL_CTL_DEL, fd, event) == 0 ? 0 : -errno();
    }

    @Override
    public int epollWaitRing(int epfd, long ringAddress, int timeoutMillis) {
        WorkerThread.countCrossing();
        int room = SpscRing.roomAt(ringAddress);
        if (room <= 0) {
            return -ENOBUFS; // the consumer drains first; never drop an event
        }
        long events = scratch() + EVENTS_AT;
        int n = LinuxLibc.epoll_wait(epfd, events, Math.min(room, WAIT_BATCH), timeoutMillis);
        if (n < 0) {
            int error = errno();
            return error == EINTR ? 0 : -error; // a signal: an empty batch, the caller waits again
        }
        for (int i = 0; i < n; i++) {
            long event = events + (long) i * epollEventSize;
            SpscRing.putAt(ringAddress, i, MEMORY.get(ValueLayout.JAVA_LONG_UNALIGNED, event + epollDataOffset),
                    toReadiness(MEMORY.get(ValueLayout.JAVA_INT_UNALIGNED, event)), 0);
        }
        SpscRing.publishAt(ringAddress, n);
        return n;
    }

    static int toEpollEvents(int interest) {
        int events = EPOLLRDHUP;
        if ((interest & Readiness.READABLE) != 0) {
            events |= EPOLLIN;
        }
        if ((interest & Readiness.WRITABLE) != 0) {
            events |= EPOLLOUT;
        }
        if ((interest & Readiness.EDGE_TRIGGERED) != 0) {
            events |= EPOLLET;
        }
        if ((interest & Readiness.ONESHOT) != 0) {
            events |= EPOLLONESHOT;
        }
        return events;
    }

    static int toReadiness(int events) {
        int readiness = 0;
        if ((events & (EPOLLIN | EPOLLPRI)) != 0) {
            readiness |= Readiness.READABLE;
        }
        if ((events & EPOLLOUT) != 0) {
            readiness |= Readiness.WRITABLE;
        }
        if ((events & EPOLLERR) != 0) {
            readiness |= Readiness.ERROR;
        }
        if ((events & EPOLLHUP) != 0) {
            readiness |= Readiness.HANGUP;
        }
        if ((events & EPOLLRDHUP) != 0) {
            readiness |= Readiness.READ_HANGUP;
        }
        return readiness;
    }

    @Override
    public int eventfdCreate() {
        WorkerThread.countCrossing();
        int fd = LinuxLibc.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        return fd >= 0 ? fd : -errno();
    }

    @Override
    public int eventfdWrite(int fd, long value) {
        WorkerThread.countCrossing();
        if (value <= 0) {
            return -EINVAL;
        }
        long counter = scratch() + VALUE_AT;
        MEMORY.set(ValueLayout.JAVA_LONG, counter, value);
        for (;;) {
            long n = LinuxLibc.write(fd, counter, Long.BYTES);
            if (n == Long.BYTES) {
                return 0;
            }
            int error = n < 0 ? errno() : EIO;
            if (error != EINTR) {
                return -error;
            }
        }
    }

    @Override
    public long eventfdRead(int fd) {
        WorkerThread.countCrossing();
        long counter = scratch() + VALUE_AT;
        for (;;) {
            long n = LinuxLibc.read(fd, counter, Long.BYTES);
            if (n == Long.BYTES) {
                return MEMORY.get(ValueLayout.JAVA_LONG, counter) & Long.MAX_VALUE; // as the shim: sign bit for -errno
            }
            int error = n < 0 ? errno() : EIO;
            if (error != EINTR) {
                return -error;
            }
        }
    }

    // ---- sockets ----------------------------------------------------------------------------

    @Override
    public int open(int family, int type) {
        WorkerThread.countCrossing();
        int domain;
        if (family == SockaddrDescriptor.FAMILY_IPV4) {
            domain = AF_INET;
        } else if (family == SockaddrDescriptor.FAMILY_IPV6) {
            domain = AF_INET6;
        } else {
            return -EAFNOSUPPORT;
        }
        int socketType;
        if (type == SocketNative.STREAM) {
            socketType = SOCK_STREAM;
        } else if (type == SocketNative.DGRAM) {
            socketType = SOCK_DGRAM;
        } else {
            return -EINVAL;
        }
        int fd = LinuxLibc.socket(domain, socketType | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        return fd >= 0 ? fd : -errno();
    }

    @Override
    public int bind(int fd, long sockaddrAddress) {
        WorkerThread.countCrossing();
        long native_ = scratch() + SOCKADDR_AT;
        int length = toNative(sockaddrAddress, native_);
        if (length < 0) {
            return length;
        }
        return LinuxLibc.bind(fd, native_, length) == 0 ? 0 : -errno();
    }

    @Override
    public int listen(int fd, int backlog) {
        WorkerThread.countCrossing();
        return LinuxLibc.listen(fd, backlog) == 0 ? 0 : -errno();
    }

    @Override
    public int accept(int fd, long peerSockaddrAddressOrZero) {
        WorkerThread.countCrossing();
        long scratch = scratch();
        long native_ = scratch + SOCKADDR_AT;
        long length = scratch + LENGTH_AT;
        int child;
        int error;
        do {
            MEMORY.set(ValueLayout.JAVA_INT, length, SOCKADDR_STORAGE_BYTES);
            child = LinuxLibc.accept4(fd, native_, length, SOCK_NONBLOCK | SOCK_CLOEXEC);
            error = child < 0 ? errno() : 0;
        } while (child < 0 && error == EINTR);
        if (child < 0) {
            return -error;
        }
        if (peerSockaddrAddressOrZero != 0 && fromNative(native_, peerSockaddrAddressOrZero) != 0) {
            MEMORY.asSlice(peerSockaddrAddressOrZero, SockaddrDescriptor.SIZE_BYTES).fill((byte) 0);
        }
        return child;
    }

    @Override
    public int connect(int fd, long sockaddrAddress) {
        WorkerThread.countCrossing();
        long native_ = scratch() + SOCKADDR_AT;
        int length = toNative(sockaddrAddress, native_);
        if (length < 0) {
            return length;
        }
        if (LinuxLibc.connect(fd, native_, length) == 0) {
            return 0;
        }
        int error = errno();
        return error == EINTR ? -EINPROGRESS : -error; // an interrupted connect goes on, as EINPROGRESS
    }

    @Override
    public int finishConnect(int fd) {
        WorkerThread.countCrossing();
        long soError = option(fd, SocketOption.SO_ERROR.id()); // the same getsockopt, one mapping of SO_ERROR
        return soError < 0 ? (int) soError : -(int) soError;
    }

    @Override
    public int read(int fd, long address, int length) {
        WorkerThread.countCrossing();
        if (length < 0) {
            return -EINVAL;
        }
        for (;;) {
            long n = LinuxLibc.read(fd, address, length);
            if (n >= 0) {
                return (int) n;
            }
            int error = errno();
            if (error != EINTR) {
                return -error;
            }
        }
    }

    @Override
    public int write(int fd, long address, int length) {
        WorkerThread.countCrossing();
        if (length < 0) {
            return -EINVAL;
        }
        for (;;) {
            long n = LinuxLibc.send(fd, address, length, MSG_NOSIGNAL);
            if (n >= 0) {
                return (int) n;
            }
            int error = errno();
            if (error != EINTR) {
                return -error;
            }
        }
    }

    @Override
    public long writev(int fd, long iovecAddress, int count) {
        WorkerThread.countCrossing();
        if (count < 0) {
            return -EINVAL;
        }
        long msghdr = scratch() + MSGHDR_AT;
        MEMORY.asSlice(msghdr, MSGHDR_BYTES).fill((byte) 0);
        MEMORY.set(ValueLayout.JAVA_LONG, msghdr + MSGHDR_IOV_OFFSET, iovecAddress);
        // Fewer buffers than asked is an ordinary short write; the caller resumes.
        MEMORY.set(ValueLayout.JAVA_LONG, msghdr + MSGHDR_IOVLEN_OFFSET, Math.min(count, IOV_MAX));
        for (;;) {
            long n = LinuxLibc.sendmsg(fd, msghdr, MSG_NOSIGNAL);
            if (n >= 0) {
                return n;
            }
            int error = errno();
            if (error != EINTR) {
                return -error;
            }
        }
    }

    @Override
    public int close(int fd) {
        WorkerThread.countCrossing();
        // Never retried: Linux releases the descriptor even when close reports EINTR.
        if (LinuxLibc.close(fd) == 0) {
            return 0;
        }
        int error = errno();
        return error == EINTR ? 0 : -error;
    }

    @Override
    public int shutdown(int fd, int how) {
        WorkerThread.countCrossing();
        int nativeHow;
        if (how == SocketNative.SHUT_READ) {
            nativeHow = SHUT_RD;
        } else if (how == SocketNative.SHUT_WRITE) {
            nativeHow = SHUT_WR;
        } else if (how == SocketNative.SHUT_BOTH) {
            nativeHow = SHUT_RDWR;
        } else {
            return -EINVAL;
        }
        return LinuxLibc.shutdown(fd, nativeHow) == 0 ? 0 : -errno();
    }

    /** (level, name) of a Krill option id as {@code level << 32 | name}, or {@code -errno}. */
    private static long optionOf(int option) {
        SocketOption[] options = SocketOption.values();
        if (option < 0 || option >= options.length) {
            return -EINVAL;
        }
        return switch (options[option]) {
            case SO_REUSEADDR -> (long) SOL_SOCKET << 32 | 2;
            case SO_REUSEPORT -> (long) SOL_SOCKET << 32 | 15;
            case SO_KEEPALIVE -> (long) SOL_SOCKET << 32 | 9;
            case SO_RCVBUF -> (long) SOL_SOCKET << 32 | 8;
            case SO_SNDBUF -> (long) SOL_SOCKET << 32 | 7;
            case SO_LINGER -> (long) SOL_SOCKET << 32 | 13;
            case TCP_NODELAY -> (long) IPPROTO_TCP << 32 | 1;
            case SO_ERROR -> (long) SOL_SOCKET << 32 | 4;
            case IPV6_V6ONLY -> (long) IPPROTO_IPV6 << 32 | 26;
            case SO_BROADCAST -> (long) SOL_SOCKET << 32 | 6;
        };
    }

    @Override
    public int setOption(int fd, int option, int value) {
        WorkerThread.countCrossing();
        long resolved = optionOf(option);
        if (resolved < 0) {
            return (int) resolved;
        }
        if (option == SocketOption.SO_ERROR.id()) {
            return -ENOPROTOOPT; // read-only
        }
        long at = scratch() + VALUE_AT;
        int length;
        if (option == SocketOption.SO_LINGER.id()) { // struct linger { int l_onoff; int l_linger; }
            MEMORY.set(ValueLayout.JAVA_INT, at, value >= 0 ? 1 : 0);
            MEMORY.set(ValueLayout.JAVA_INT, at + 4, Math.max(value, 0));
            length = 8;
        } else {
            MEMORY.set(ValueLayout.JAVA_INT, at, value);
            length = Integer.BYTES;
        }
        return LinuxLibc.setsockopt(fd, (int) (resolved >>> 32), (int) resolved, at, length) == 0 ? 0 : -errno();
    }

    @Override
    public long getOption(int fd, int option) {
        WorkerThread.countCrossing();
        return option(fd, option);
    }

    /** getsockopt for a Krill option id, encoded as {@link #getOption} returns it. */
    private static long option(int fd, int option) {
        long resolved = optionOf(option);
        if (resolved < 0) {
            return resolved;
        }
        long scratch = scratch();
        boolean linger = option == SocketOption.SO_LINGER.id();
        MEMORY.set(ValueLayout.JAVA_INT, scratch + LENGTH_AT, linger ? 8 : Integer.BYTES);
        if (LinuxLibc.getsockopt(fd, (int) (resolved >>> 32), (int) resolved, scratch + VALUE_AT, scratch + LENGTH_AT) != 0) {
            return -errno();
        }
        int value = MEMORY.get(ValueLayout.JAVA_INT, scratch + VALUE_AT);
        if (linger) {
            value = value != 0 ? MEMORY.get(ValueLayout.JAVA_INT, scratch + VALUE_AT + 4) : -1;
        }
        return SocketNative.OPTION_PRESENT | (value & 0xffff_ffffL);
    }

    @Override
    public int localAddress(int fd, long sockaddrAddress) {
        WorkerThread.countCrossing();
        return address(fd, sockaddrAddress, false);
    }

    @Override
    public int peerAddress(int fd, long sockaddrAddress) {
        WorkerThread.countCrossing();
        return address(fd, sockaddrAddress, true);
    }

    /** getsockname or getpeername into the scratch area, then the Krill record: 0 or {@code -errno}. */
    private static int address(int fd, long sockaddrAddress, boolean peer) {
        long scratch = scratch();
        MEMORY.set(ValueLayout.JAVA_INT, scratch + LENGTH_AT, SOCKADDR_STORAGE_BYTES);
        int rc = peer ? LinuxLibc.getpeername(fd, scratch + SOCKADDR_AT, scratch + LENGTH_AT)
                : LinuxLibc.getsockname(fd, scratch + SOCKADDR_AT, scratch + LENGTH_AT);
        if (rc != 0) {
            return -errno();
        }
        return fromNative(scratch + SOCKADDR_AT, sockaddrAddress);
    }

    // ---- struct krill_sockaddr <-> struct sockaddr_in / sockaddr_in6 ----------------------------

    /** Writes the native address for the Krill record at {@code krill}: its length, or {@code -errno}. */
    static int toNative(long krill, long out) {
        MEMORY.asSlice(out, SOCKADDR_STORAGE_BYTES).fill((byte) 0);
        int family = MEMORY.get(ValueLayout.JAVA_INT, krill + SockaddrDescriptor.FAMILY_OFFSET);
        int port = MEMORY.get(ValueLayout.JAVA_INT, krill + SockaddrDescriptor.PORT_OFFSET);
        if (port < 0 || port > 65535) {
            return -EINVAL;
        }
        long address = krill + SockaddrDescriptor.ADDRESS_OFFSET;
        if (family == SockaddrDescriptor.FAMILY_IPV4) { // sin_family, sin_port, sin_addr at 0, 2, 4
            MEMORY.set(ValueLayout.JAVA_SHORT_UNALIGNED, out, (short) AF_INET);
            MEMORY.set(NET_SHORT, out + 2, (short) port);
            MemorySegment.copy(MEMORY, address, MEMORY, out + 4, 4);
            return SOCKADDR_IN_BYTES;
        }
        if (family == SockaddrDescriptor.FAMILY_IPV6) { // family, port, flowinfo, addr, scope_id at 0, 2, 4, 8, 24
            MEMORY.set(ValueLayout.JAVA_SHORT_UNALIGNED, out, (short) AF_INET6);
            MEMORY.set(NET_SHORT, out + 2, (short) port);
            MEMORY.set(NET_INT, out + 4, MEMORY.get(ValueLayout.JAVA_INT, krill + SockaddrDescriptor.FLOWINFO_OFFSET));
            MemorySegment.copy(MEMORY, address, MEMORY, out + 8, 16);
            MEMORY.set(ValueLayout.JAVA_INT_UNALIGNED, out + 24,
                    MEMORY.get(ValueLayout.JAVA_INT, krill + SockaddrDescriptor.SCOPE_ID_OFFSET));
            return SOCKADDR_IN6_BYTES;
        }
        return -EAFNOSUPPORT;
    }

    /** Writes the Krill record for the native address at {@code in}: 0, or {@code -EAFNOSUPPORT}. */
    static int fromNative(long in, long krill) {
        MEMORY.asSlice(krill, SockaddrDescriptor.SIZE_BYTES).fill((byte) 0);
        int family = MEMORY.get(ValueLayout.JAVA_SHORT_UNALIGNED, in) & 0xffff;
        int port = MEMORY.get(NET_SHORT, in + 2) & 0xffff;
        long address = krill + SockaddrDescriptor.ADDRESS_OFFSET;
        if (family == AF_INET) {
            MEMORY.set(ValueLayout.JAVA_INT, krill + SockaddrDescriptor.FAMILY_OFFSET, SockaddrDescriptor.FAMILY_IPV4);
            MEMORY.set(ValueLayout.JAVA_INT, krill + SockaddrDescriptor.PORT_OFFSET, port);
            MemorySegment.copy(MEMORY, in + 4, MEMORY, address, 4);
            return 0;
        }
        if (family == AF_INET6) {
            MEMORY.set(ValueLayout.JAVA_INT, krill + SockaddrDescriptor.FAMILY_OFFSET, SockaddrDescriptor.FAMILY_IPV6);
            MEMORY.set(ValueLayout.JAVA_INT, krill + SockaddrDescriptor.PORT_OFFSET, port);
            MEMORY.set(ValueLayout.JAVA_INT, krill + SockaddrDescriptor.FLOWINFO_OFFSET, MEMORY.get(NET_INT, in + 4));
            MemorySegment.copy(MEMORY, in + 8, MEMORY, address, 16);
            MEMORY.set(ValueLayout.JAVA_INT, krill + SockaddrDescriptor.SCOPE_ID_OFFSET,
                    MEMORY.get(ValueLayout.JAVA_INT_UNALIGNED, in + 24));
            return 0;
        }
        return -EAFNOSUPPORT;
    }
}
