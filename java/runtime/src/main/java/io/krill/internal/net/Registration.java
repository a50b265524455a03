package io.krill.internal.net;

import io.krill.Task;
import io.krill.internal.task.AbstractTask;
import io.krill.net.SocketClosedException;
import io.krill.internal.jni.Errno;
import io.krill.internal.errno.Errors;
import io.krill.internal.jni.Readiness;
import io.krill.internal.jni.SockaddrDescriptor;
import io.krill.internal.jni.SocketNative;
import io.krill.internal.jni.SocketOption;
import io.krill.internal.reactor.ConnectionTable;
import io.krill.internal.reactor.NativeIo;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A socket registered with the reactor: its lifetime and its readiness-driven I/O, shared by a
 * {@code TcpStream} and its halves (through {@link StreamIo}), or owned by a {@code TcpListener} (Tokio's
 * {@code PollEvented}).
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>Closing without hitting a reused descriptor.</b> The kernel hands a closed descriptor's
 * number to the next {@code open}/{@code accept}. Were {@link #close()} to close the fd while
 * another thread sat between its liveness check and its {@code read(2)}, that read would land on
 * whatever the number names next: someone else's connection. So every system call on the fd runs
 * between {@link #enter()} and {@link #exit()}, which count the calls in flight in one word:
 * <pre>
 * | CLOSED  | system calls in flight |
 * |  1 bit  |        31 bits         |
 * </pre>
 * and the fd is closed by whoever brings the word to "CLOSED, none in flight": {@code close()}
 * itself when no call is in flight, else the last {@code exit()}. Once CLOSED is set no call
 * enters, so the count only falls. {@code close()} deregisters first (epoll_ctl DEL, the token
 * turns stale, waiters are woken) and sets CLOSED after: the descriptor leaves epoll before its
 * number can be reused. A call that entered in between finds the token stale, and the
 * table's {@code state}/{@code clearReadiness} throw {@link IllegalStateException}; that is
 * caught in {@link #attempt} only, and reported as {@link #CLOSED_RESULT}.
 *
 * <p><b>Waiting.</b> The table keeps one read waiter and one write waiter per connection, so a
 * socket supports one pending operation per direction at a time (read, readExact, readable, a
 * line reader's nextLine; write, writeAll, writable): a second concurrent one in the same
 * direction would take the first one's wake-up. The halves of {@code TcpStream.split()} are
 * exactly one of each. A pending operation whose socket is closed fails with
 * {@link SocketClosedException}; a call on an already closed socket throws
 * {@link IllegalStateException} (a bug in the caller, not an I/O condition).
 *
 * <p><b>Handles.</b> {@code handles} counts the owners that must all let go before the socket
 * closes: 1, or 2 once a stream is split (Tokio's "both halves dropped").
 *
 * <p>The fast paths loop while the kernel takes or gives bytes, and only make a task that
 * waits ({@link IoWait}, one per operation however many wake-ups it takes) when it says
 * {@code EAGAIN}: an operation that needs no waiting allocates one finished task at most.
 */
public final class Registration {

    /** An {@link #attempt} result below every {@code -errno}: the socket was closed. */
    public static final int CLOSED_RESULT = Integer.MIN_VALUE;

    private static final int CLOSED = 1 << 31;
    private static final int CALLS_MASK = ~CLOSED;

    private static final VarHandle USE;
    private static final VarHandle HANDLES;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            USE = lookup.findVarHandle(Registration.class, "use", int.class);
            HANDLES = lookup.findVarHandle(Registration.class, "handles", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A non-blocking system call on the descriptor, made through {@code io}: a count or {@code -errno}. */
    @FunctionalInterface
    public interface Syscall {
        int call(NativeIo io, int fd, long address, int length);
    }

    /** A quick call on the descriptor (options, addresses, shutdown): its result or {@code -errno}. */
    @FunctionalInterface
    public interface QuickCall {
        long call(NativeIo io, int fd);
    }

    public static final Syscall READ = NativeIo::read;
    public static final Syscall WRITE = NativeIo::write;
    public static final Syscall ACCEPT = (io, fd, peerAddress, unused) -> io.accept(fd, peerAddress);

    private final ConnectionTable table;
    /** The table's, copied: one field load on the hot path instead of two. */
    private final NativeIo io;
    private final long token;
    private final int fd;
    /** The remote address (streams) or local one (listeners), for messages. */
    private final String name;
    // CAS by enter/exit/close, from any thread; see the class notes.
    private volatile int use;
    // CAS by addHandle/release, from any thread.
    private volatile int handles = 1;

    public Registration(ConnectionTable table, long token, int fd, String name) {
        this.table = table;
        this.io = table.io();
        this.token = token;
        this.fd = fd;
        this.name = name;
    }

    public String name() {
        return name;
    }

    public ConnectionTable table() {
        return table;
    }

    public long token() {
        return token;
    }

    // ---- lifetime ----------------------------------------------------------------------------

    public boolean isOpen() {
        return (use & CLOSED) == 0 && table.isCurrent(token);
    }

    /** @throws IllegalStateException when closed: using a closed socket is the caller's bug */
    public void checkOpen(String operation) {
        if (!isOpen()) {
            throw new IllegalStateException(operation + "(" + name + "): the socket is closed");
        }
    }

    /** The failure of an operation that was pending (waiting, or between steps) when the socket closed. */
    public SocketClosedException closedWhilePending(String operation) {
        return new SocketClosedException(operation + "(" + name + ") was pending when the socket was closed");
    }

    private boolean enter() {
        for (;;) {
            int current = use;
            if ((current & CLOSED) != 0) {
                return false;
            }
            if (USE.compareAndSet(this, current, current + 1)) {
                return true;
            }
        }
    }

    private void exit() {
        int now = (int) USE.getAndAdd(this, -1) - 1;
        if (now == CLOSED) {
            io.close(fd); // the last call out of a closed socket: see the class notes
        }
    }

    /** One more owner: a stream split into halves. */
    public void addHandle() {
        HANDLES.getAndAdd(this, 1);
    }

    /** An owner lets go; the last one closes the socket. */
    public void release() {
        if ((int) HANDLES.getAndAdd(this, -1) == 1) {
            close();
        }
    }

    /**
     * Closes now, whatever the handles: deregisters (pending operations wake and fail), then
     * closes the descriptor once no system call is using it. Idempotent.
     */
    public void close() {
        if (!table.deregister(token, false)) {
            return; // closed before
        }
        int before = (int) USE.getAndBitwiseOr(this, CLOSED);
        if ((before & CALLS_MASK) == 0) {
            io.close(fd); // no call in flight; none can enter now
        }
    }

    // ---- system calls ------------------------------------------------------------------------

    /**
     * One attempt of {@code syscall}: its result, or {@link #CLOSED_RESULT}. On {@code -EAGAIN},
     * or a read or write that moved fewer bytes than asked, it has cleared {@code readiness} as
     * observed before the call (unless an event came in meanwhile), so that the next wait
     * really waits.
     */
    public int attempt(Syscall syscall, long address, int length, int readiness) {
        if (!enter()) {
            return CLOSED_RESULT;
        }
        try {
            long state = table.state(token);
            int result = syscall.call(io, fd, address, length);
            if (result == -Errno.EAGAIN.number() || (result > 0 && result < length && syscall != ACCEPT)) {
                // A short read or write says the socket is drained (or full) as surely as EAGAIN
                // does, one system call sooner (Tokio's PollEvented does the same on epoll and
                // kqueue). Data that arrives after the call either advanced the tick first (then
                // nothing is cleared) or sends a new edge after the clear.
                table.clearReadiness(token, state, readiness);
            }
            return result;
        } catch (IllegalStateException staleToken) {
            // Only state/clearReadiness throw this, and only for a token that a racing close()
            // deregistered after enter(): the socket is closing, which the caller reports.
            return CLOSED_RESULT;
        } finally {
            exit();
        }
    }

    /**
     * Runs a quick call (options, addresses, shutdown) with the descriptor held open.
     *
     * @throws IllegalStateException when closed
     */
    public long call(String operation, QuickCall syscall) {
        if (!enter()) {
            throw new IllegalStateException(operation + "(" + name + "): the socket is closed");
        }
        try {
            return syscall.call(io, fd);
        } finally {
            exit();
        }
    }

    /** The local end's address. */
    public InetSocketAddress localAddress() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr = arena.allocate(SockaddrDescriptor.SIZE_BYTES, 8);
            Errors.check("getsockname(" + name + ")", call("localAddress", (io, fd) -> io.localAddress(fd, sockaddr.address())));
            return SockaddrDescriptor.read(sockaddr);
        }
    }

    /** Sets a socket option. */
    public void setOption(SocketOption option, int value) throws IOException {
        Errors.check("setsockopt(" + option + ", " + value + ") on " + name,
                call("set " + option, (io, fd) -> io.setOption(fd, option.id(), value)));
    }

    /** A socket option's value. */
    public int option(SocketOption option) throws IOException {
        long result = call("get " + option, (io, fd) -> io.getOption(fd, option.id()));
        Errors.check("getsockopt(" + option + ") on " + name, result);
        return (int) result; // the value is the low half; OPTION_PRESENT sets bit 32 only
    }

    /** A task completing when the table reports {@code interest} (or the socket closes). */
    public Task<Void> ready(int interest, String operation) {
        return IoWait.ready(this, interest, operation).as();
    }

    // ---- stream I/O --------------------------------------------------------------------------

    public static int lengthOf(MemorySegment buffer) {
        if (!buffer.isNative()) {
            throw new IllegalArgumentException("buffer must be off-heap (Arena-allocated), got a heap segment");
        }
        return (int) Math.min(buffer.byteSize(), Integer.MAX_VALUE);
    }

    // ---- bytes given back ----------------------------------------------------------------------

    /**
     * Bytes a read took from the socket that nobody then took from the read (it lost a race, its
     * continuation was cancelled, a readExact was cancelled part-way): the next read returns
     * them first. Rare, so a heap array; null when there are none (the reads' one check).
     * Guarded by this; volatile for that check.
     */
    private volatile byte[] unread;

    /** Puts {@code bytes}, read from this socket and taken by nobody, back before any still unread. */
    void unread(MemorySegment bytes) {
        if (bytes.byteSize() == 0) {
            return;
        }
        byte[] back = bytes.toArray(ValueLayout.JAVA_BYTE);
        synchronized (this) {
            byte[] rest = unread;
            if (rest != null) {
                byte[] both = java.util.Arrays.copyOf(back, back.length + rest.length);
                System.arraycopy(rest, 0, both, back.length, rest.length);
                back = both;
            }
            unread = back;
        }
    }

    /** Moves bytes given back into {@code into}: how many (0 when there are none). */
    int takeUnread(MemorySegment into) {
        if (unread == null || into.byteSize() == 0) {
            return 0;
        }
        synchronized (this) {
            byte[] rest = unread;
            if (rest == null) {
                return 0;
            }
            int n = (int) Math.min(rest.length, into.byteSize());
            MemorySegment.copy(rest, 0, into, ValueLayout.JAVA_BYTE, 0, n);
            unread = n == rest.length ? null : java.util.Arrays.copyOfRange(rest, n, rest.length);
            return n;
        }
    }

    /** True while bytes given back wait to be read again. */
    boolean hasUnread() {
        return unread != null;
    }

    /**
     * A read that finished at once: born completed, and, if nobody takes it (a race it lost, a
     * cancelled continuation), its bytes go back to the socket's next read.
     */
    private static final class ReadDone<T> extends AbstractTask<T> {
        private final Registration registration;
        private final MemorySegment buffer;
        private final long length;

        ReadDone(Registration registration, MemorySegment buffer, long length, T value) {
            super(value);
            this.registration = registration;
            this.buffer = buffer;
            this.length = length;
        }

        @Override
        protected void handBack(T value) {
            registration.unread(buffer.asSlice(0, length));
        }
    }

    // ---- stream I/O, continued -----------------------------------------------------------------

    /** Bytes read, -1 at end of stream; waits for data. The caller checked the socket open. */
    public Task<Integer> read(MemorySegment buffer) {
        int length = lengthOf(buffer);
        if (length == 0) {
            return Task.completed(0);
        }
        int given = takeUnread(buffer);
        if (given > 0) {
            return new ReadDone<>(this, buffer, given, given);
        }
        int n = attempt(READ, buffer.address(), length, Readiness.READABLE);
        if (n > 0) {
            return new ReadDone<>(this, buffer, n, n);
        }
        if (n == 0) {
            return Task.completed(-1);
        }
        if (n == CLOSED_RESULT) {
            return Task.failed(closedWhilePending("read"));
        }
        if (n != -Errno.EAGAIN.number()) {
            return Task.failed(Errors.newException("read(" + name + ")", n));
        }
        return IoWait.start(this, IoWait.Kind.READ, buffer, 0, "read").as();
    }

    /** As {@link #read} without waiting: 0 when nothing is there yet. */
    public int tryRead(MemorySegment buffer) throws IOException {
        int length = lengthOf(buffer);
        if (length == 0) {
            return 0;
        }
        int given = takeUnread(buffer);
        if (given > 0) {
            return given;
        }
        int n = attempt(READ, buffer.address(), length, Readiness.READABLE);
        if (n > 0) {
            return n;
        }
        if (n == 0) {
            return -1;
        }
        if (n == CLOSED_RESULT) {
            throw new IllegalStateException("tryRead(" + name + "): the socket is closed");
        }
        if (n == -Errno.EAGAIN.number()) {
            return 0;
        }
        throw Errors.newException("read(" + name + ")", n);
    }

    /** Fills all of {@code buffer} from {@code filled} on, or fails with {@link EOFException}. */
    public Task<Void> readExact(MemorySegment buffer, long filled) {
        long size = buffer.byteSize();
        lengthOf(buffer);
        Objects.checkFromToIndex(filled, size, size); // 0 <= filled <= size, no overflow
        filled += takeUnread(buffer.asSlice(filled));
        while (filled < size) {
            MemorySegment rest = buffer.asSlice(filled);
            int length = lengthOf(rest);
            int n = attempt(READ, rest.address(), length, Readiness.READABLE);
            if (n > 0) {
                filled += n;
                if (n < length && filled < size) {
                    return IoWait.start(this, IoWait.Kind.READ_EXACT, buffer, filled, "readExact").as(); // drained: wait
                }
            } else if (n == 0) {
                return Task.failed(new EOFException("readExact(" + name + "): end of stream after " + filled + " of "
                        + size + " bytes, " + (size - filled) + " missing"));
            } else if (n == CLOSED_RESULT) {
                return Task.failed(closedWhilePending("readExact"));
            } else if (n == -Errno.EAGAIN.number()) {
                return IoWait.start(this, IoWait.Kind.READ_EXACT, buffer, filled, "readExact").as();
            } else {
                return Task.failed(Errors.newException("read(" + name + ")", n));
            }
        }
        return new ReadDone<>(this, buffer, size, null);
    }

    /** Bytes written (some of {@code buffer}); waits for room when there is none. */
    public Task<Integer> write(MemorySegment buffer) {
        int length = lengthOf(buffer);
        if (length == 0) {
            return Task.completed(0);
        }
        int n = attempt(WRITE, buffer.address(), length, Readiness.WRITABLE);
        if (n >= 0) {
            return Task.completed(n);
        }
        if (n == CLOSED_RESULT) {
            return Task.failed(closedWhilePending("write"));
        }
        if (n != -Errno.EAGAIN.number()) {
            return Task.failed(Errors.newException("write(" + name + ")", n));
        }
        return IoWait.start(this, IoWait.Kind.WRITE, buffer, 0, "write").as();
    }

    /** As {@link #write} without waiting: 0 when there is no room. */
    public int tryWrite(MemorySegment buffer) throws IOException {
        int length = lengthOf(buffer);
        if (length == 0) {
            return 0;
        }
        int n = attempt(WRITE, buffer.address(), length, Readiness.WRITABLE);
        if (n >= 0) {
            return n;
        }
        if (n == CLOSED_RESULT) {
            throw new IllegalStateException("tryWrite(" + name + "): the socket is closed");
        }
        if (n == -Errno.EAGAIN.number()) {
            return 0;
        }
        throw Errors.newException("write(" + name + ")", n);
    }

    /** Writes all of {@code buffer} from {@code written} on. */
    public Task<Void> writeAll(MemorySegment buffer, long written) {
        long size = buffer.byteSize();
        lengthOf(buffer);
        Objects.checkFromToIndex(written, size, size); // 0 <= written <= size, no overflow
        while (written < size) {
            MemorySegment rest = buffer.asSlice(written);
            int length = lengthOf(rest);
            int n = attempt(WRITE, rest.address(), length, Readiness.WRITABLE);
            if (n >= 0) {
                written += n;
                if (n < length && written < size) {
                    return IoWait.start(this, IoWait.Kind.WRITE_ALL, buffer, written, "writeAll").as(); // full: wait
                }
            } else if (n == CLOSED_RESULT) {
                return Task.failed(closedWhilePending("writeAll"));
            } else if (n == -Errno.EAGAIN.number()) {
                return IoWait.start(this, IoWait.Kind.WRITE_ALL, buffer, written, "writeAll").as();
            } else {
                return Task.failed(Errors.newException("write(" + name + ")", n));
            }
        }
        return Task.completed(null);
    }

    /** Half-close: FIN to the peer. */
    public void shutdownOutput() throws IOException {
        Errors.check("shutdown(" + name + ")", call("shutdownOutput", (io, fd) -> io.shutdown(fd, SocketNative.SHUT_WRITE)));
    }

    /**
     * Half-close on the way out (a write half's close): best effort. The result is not
     * reported: {@code -ENOTCONN} means the peer reset the connection already, and there is
     * nobody left to tell; a closed socket needs no FIN from here.
     */
    public void shutdownOutputQuietly() {
        if (!enter()) {
            return;
        }
        try {
            io.shutdown(fd, SocketNative.SHUT_WRITE);
        } finally {
            exit();
        }
    }
}
