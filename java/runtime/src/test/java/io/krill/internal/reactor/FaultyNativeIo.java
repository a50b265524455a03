package io.krill.internal.reactor;

import io.krill.internal.jni.Errno;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * This JVM's backend (libkrill's JNI shims, or JNA under {@code -Dkrill.backend=jna}) with faults on demand: told, per kind of call, to fail the next N calls,
 * or every call for a while (a storm), or every k-th call, with a given errno, instead of making
 * them. It counts every call and every injected failure per kind, so a test can tell "backed off"
 * from "spun". Build a runtime on it with {@link NativeIoOverride#with}.
 *
 * <p><b>Spurious EAGAIN and edge-triggered readiness.</b> After {@code -EAGAIN} the reactor
 * clears the cached readiness and waits for the next edge. A kernel says EAGAIN only when the
 * socket really was empty (or full) at the call, so the bytes (or room) that come later raise an
 * edge. An injected EAGAIN on a socket that holds data has no such edge behind it: the bytes are
 * already there, and a peer that waits for our answer sends nothing more, so the connection
 * would wait forever; that would model a kernel that loses edges, which no edge-triggered design
 * (Tokio's, Netty's) survives, and not the fault we mean. So, with {@code resignal}, an injected
 * EAGAIN also re-arms the descriptor (epoll_ctl DEL then ADD, with the token it was registered
 * with), which reports its current readiness as a fresh edge, as the kernel's later edge would.
 * The code under test then still sees a wrong EAGAIN, clears readiness and waits; what it must
 * not do is lose or reorder bytes.
 */
public final class FaultyNativeIo implements NativeIo {

    /** The kinds of call, one per {@link NativeIo} method. */
    public enum Call {
        EPOLL_CREATE, EPOLL_ADD, EPOLL_DELETE, EPOLL_WAIT, EVENTFD_CREATE, EVENTFD_WRITE, EVENTFD_READ,
        OPEN, BIND, LISTEN, ACCEPT, CONNECT, FINISH_CONNECT, READ, WRITE, WRITEV, CLOSE, SHUTDOWN,
        SET_OPTION, GET_OPTION, LOCAL_ADDRESS, PEER_ADDRESS,
        /**
         * A batch of reads or sends (the fused crossing): counted, and failed as a whole when told;
         * its operations are then made one {@link #READ} or {@link #WRITE} each, so their own faults
         * apply, and they are also counted as {@link #batched}.
         */
        READ_BATCH, WRITE_BATCH
    }

    private static final int KINDS = Call.values().length;

    /** One injection for one kind: failures left, or a storm's length, and every period-th call. */
    private static final class Fault {
        final int result;
        final long stormNanos; // 0: not a storm, until the count runs out
        final int period;      // 1: every call
        final boolean resignal;
        long remaining;        // guarded by this
        long seen;             // guarded by this
        long stormEndNanos;    // set by the first call the storm meets; guarded by this
        boolean started;       // guarded by this

        Fault(Errno errno, long remaining, long stormNanos, int period, boolean resignal) {
            this.result = -errno.number();
            this.remaining = remaining;
            this.stormNanos = stormNanos;
            this.period = period;
            this.resignal = resignal;
        }

        /** 1: this call fails; 0: it does not; -1: the fault is spent (this call and all later). */
        synchronized int take() {
            long now = System.nanoTime();
            if (stormNanos > 0 && !started) {
                started = true;
                stormEndNanos = now + stormNanos;
            }
            if (remaining <= 0 || (stormNanos > 0 && now - stormEndNanos > 0)) {
                return -1;
            }
            if (++seen % period != 0) {
                return 0;
            }
            remaining--;
            return 1;
        }
    }

    private final NativeIo real = io.krill.internal.backend.Backends.selected().io(); // this JVM's backend
    /** Per kind, the injections still to come, in order: the head applies until it is spent. */
    private final AtomicReferenceArray<Queue<Fault>> faults = new AtomicReferenceArray<>(KINDS);
    private final AtomicLongArray calls = new AtomicLongArray(KINDS);
    /** Calls made inside a batch, per kind (READ and WRITE only). */
    private final AtomicLongArray batched = new AtomicLongArray(KINDS);
    /** True on a thread while it makes a batch's operations. */
    private final ThreadLocal<Boolean> inBatch = ThreadLocal.withInitial(() -> false);
    private final AtomicLongArray injected = new AtomicLongArray(KINDS);
    {
        for (int kind = 0; kind < KINDS; kind++) {
            faults.set(kind, new ConcurrentLinkedQueue<>());
        }
    }

    private volatile java.util.function.Consumer<Call> observer = call -> {};
    /** How each descriptor is registered: {epfd, interest, token}, for re-arming it. */
    private final Map<Integer, long[]> registrations = new ConcurrentHashMap<>();

    /**
     * Fails the next {@code times} calls of {@code call} with {@code errno}, after the faults
     * already queued for it.
     */
    public FaultyNativeIo failNext(Call call, Errno errno, int times) {
        return queue(call, new Fault(errno, times, 0, 1, false));
    }

    /**
     * Fails every call of {@code call} with {@code errno} for {@code duration}, counted from the
     * first call it meets, after the faults already queued for it.
     */
    public FaultyNativeIo storm(Call call, Errno errno, Duration duration) {
        return queue(call, new Fault(errno, Long.MAX_VALUE, Math.max(1, duration.toNanos()), 1, false));
    }

    /**
     * Fails every {@code period}-th call of {@code call} with {@code errno}, until {@link #heal};
     * with {@code resignal}, each failure also re-arms the descriptor (see the class notes).
     */
    public FaultyNativeIo failEvery(Call call, Errno errno, int period, boolean resignal) {
        return queue(call, new Fault(errno, Long.MAX_VALUE, 0, period, resignal));
    }

    private FaultyNativeIo queue(Call call, Fault fault) {
        faults.get(call.ordinal()).add(fault);
        return this;
    }

    /** Tells {@code observer} of every call as it is made (on the calling thread). */
    public FaultyNativeIo observe(java.util.function.Consumer<Call> observer) {
        this.observer = observer;
        return this;
    }

    /** Drops every fault queued for {@code call}. */
    public FaultyNativeIo heal(Call call) {
        faults.get(call.ordinal()).clear();
        return this;
    }

    /** Calls of {@code call} so far, injected failures included. */
    public long calls(Call call) {
        return calls.get(call.ordinal());
    }

    /** The calls of {@code call} (READ or WRITE) made as operations of a batch. */
    public long batched(Call call) {
        return batched.get(call.ordinal());
    }

    /** Calls of {@code call} that got an injected failure instead of the system call. */
    public long injected(Call call) {
        return injected.get(call.ordinal());
    }

    /** 0 to make the call, else the injected {@code -errno}. */
    private int fault(Call call, int fd) {
        int kind = call.ordinal();
        calls.incrementAndGet(kind);
        if (inBatch.get()) {
            batched.incrementAndGet(kind);
        }
        observer.accept(call);
        Queue<Fault> queued = faults.get(kind);
        Fault fault;
        for (;;) {
            fault = queued.peek();
            if (fault == null) {
                return 0;
            }
            int verdict = fault.take();
            if (verdict == 0) {
                return 0;
            }
            if (verdict == 1) {
                break;
            }
            queued.remove(fault); // spent: the next one applies
        }
        injected.incrementAndGet(kind);
        if (fault.resignal) {
            long[] registration = registrations.get(fd);
            if (registration != null) {
                int epfd = (int) registration[0];
                real.epollDelete(epfd, fd);
                real.epollAdd(epfd, fd, (int) registration[1], registration[2]);
            }
        }
        return fault.result;
    }

    @Override
    public String name() {
        return real.name() + "+faults";
    }

    @Override
    public int epollCreate() {
        int f = fault(Call.EPOLL_CREATE, -1);
        return f != 0 ? f : real.epollCreate();
    }

    @Override
    public int epollAdd(int epfd, int fd, int interest, long token) {
        int f = fault(Call.EPOLL_ADD, fd);
        if (f != 0) {
            return f;
        }
        int rc = real.epollAdd(epfd, fd, interest, token);
        if (rc == 0) {
            registrations.put(fd, new long[] {epfd, interest, token});
        }
        return rc;
    }

    @Override
    public int epollDelete(int epfd, int fd) {
        int f = fault(Call.EPOLL_DELETE, fd);
        registrations.remove(fd);
        return f != 0 ? f : real.epollDelete(epfd, fd);
    }

    @Override
    public int epollWaitRing(int epfd, long ringAddress, int timeoutMillis) {
        int f = fault(Call.EPOLL_WAIT, epfd);
        return f != 0 ? f : real.epollWaitRing(epfd, ringAddress, timeoutMillis);
    }

    @Override
    public int eventfdCreate() {
        int f = fault(Call.EVENTFD_CREATE, -1);
        return f != 0 ? f : real.eventfdCreate();
    }

    @Override
    public int eventfdWrite(int fd, long value) {
        int f = fault(Call.EVENTFD_WRITE, fd);
        return f != 0 ? f : real.eventfdWrite(fd, value);
    }

    @Override
    public long eventfdRead(int fd) {
        int f = fault(Call.EVENTFD_READ, fd);
        return f != 0 ? f : real.eventfdRead(fd);
    }

    @Override
    public int open(int family, int type) {
        int f = fault(Call.OPEN, -1);
        return f != 0 ? f : real.open(family, type);
    }

    @Override
    public int bind(int fd, long sockaddrAddress) {
        int f = fault(Call.BIND, fd);
        return f != 0 ? f : real.bind(fd, sockaddrAddress);
    }

    @Override
    public int listen(int fd, int backlog) {
        int f = fault(Call.LISTEN, fd);
        return f != 0 ? f : real.listen(fd, backlog);
    }

    @Override
    public int accept(int fd, long peerSockaddrAddressOrZero) {
        int f = fault(Call.ACCEPT, fd);
        return f != 0 ? f : real.accept(fd, peerSockaddrAddressOrZero);
    }

    @Override
    public int connect(int fd, long sockaddrAddress) {
        int f = fault(Call.CONNECT, fd);
        return f != 0 ? f : real.connect(fd, sockaddrAddress);
    }

    @Override
    public int finishConnect(int fd) {
        int f = fault(Call.FINISH_CONNECT, fd);
        return f != 0 ? f : real.finishConnect(fd);
    }

    @Override
    public int read(int fd, long address, int length) {
        int f = fault(Call.READ, fd);
        return f != 0 ? f : real.read(fd, address, length);
    }

    @Override
    public int write(int fd, long address, int length) {
        int f = fault(Call.WRITE, fd);
        return f != 0 ? f : real.write(fd, address, length);
    }

    @Override
    public int readBatch(long opsAddress, int count) {
        return batch(Call.READ_BATCH, opsAddress, count);
    }

    @Override
    public int writeBatch(long opsAddress, int count) {
        return batch(Call.WRITE_BATCH, opsAddress, count);
    }

    /** A batch call: failed whole, or its operations made one read (write) each through this class. */
    private int batch(Call call, long opsAddress, int count) {
        int f = fault(call, -1);
        if (f != 0) {
            return f;
        }
        inBatch.set(true);
        try {
            return call == Call.READ_BATCH ? NativeIo.super.readBatch(opsAddress, count) : NativeIo.super.writeBatch(opsAddress, count);
        } finally {
            inBatch.set(false);
        }
    }

    @Override
    public long writev(int fd, long iovecAddress, int count) {
        int f = fault(Call.WRITEV, fd);
        return f != 0 ? f : real.writev(fd, iovecAddress, count);
    }

    @Override
    public int close(int fd) {
        int f = fault(Call.CLOSE, fd);
        registrations.remove(fd); // closing drops it from epoll too
        return f != 0 ? f : real.close(fd);
    }

    @Override
    public int shutdown(int fd, int how) {
        int f = fault(Call.SHUTDOWN, fd);
        return f != 0 ? f : real.shutdown(fd, how);
    }

    @Override
    public int setOption(int fd, int option, int value) {
        int f = fault(Call.SET_OPTION, fd);
        return f != 0 ? f : real.setOption(fd, option, value);
    }

    @Override
    public long getOption(int fd, int option) {
        int f = fault(Call.GET_OPTION, fd);
        return f != 0 ? f : real.getOption(fd, option);
    }

    @Override
    public int localAddress(int fd, long sockaddrAddress) {
        int f = fault(Call.LOCAL_ADDRESS, fd);
        return f != 0 ? f : real.localAddress(fd, sockaddrAddress);
    }

    @Override
    public int peerAddress(int fd, long sockaddrAddress) {
        int f = fault(Call.PEER_ADDRESS, fd);
        return f != 0 ? f : real.peerAddress(fd, sockaddrAddress);
    }
}
