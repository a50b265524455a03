package io.krill.internal.reactor;

/**
 * The system calls the reactor and the net layer make, behind one interface so that another
 * backend (a JNA one, per the design; a fault-injecting one in tests) is one class and nothing
 * above it changes. Every method returns a count or descriptor (&gt;= 0) or {@code -errno}, as
 * the JNI shims do; the socket calls have {@code SocketNative}'s signatures and meaning.
 *
 * <p>The runtime holds one instance ({@link ConnectionTable#io()}), and production loads one
 * implementation only, so every call site stays monomorphic: a field load and an inlined call.
 */
public interface NativeIo {

    /** The backend's name, as {@code -Dkrill.backend} and the metrics spell it: {@code jni}, {@code jna}. */
    String name();

    int epollCreate();

    int epollAdd(int epfd, int fd, int interest, long token);

    int epollDelete(int epfd, int fd);

    /** Waits and appends event records to the SPSC ring at {@code ringAddress}. */
    int epollWaitRing(int epfd, long ringAddress, int timeoutMillis);

    int eventfdCreate();

    int eventfdWrite(int fd, long value);

    long eventfdRead(int fd);

    // ---- sockets: see SocketNative for each call's contract -----------------------------------

    /** A non-blocking, close-on-exec socket of {@code SocketNative.STREAM} or {@code DGRAM}. */
    int open(int family, int type);

    int bind(int fd, long sockaddrAddress);

    int listen(int fd, int backlog);

    /** @param peerSockaddrAddressOrZero where to write the peer's address, or 0 */
    int accept(int fd, long peerSockaddrAddressOrZero);

    /** 0, {@code -EINPROGRESS} (finish with {@link #finishConnect}) or {@code -errno}. */
    int connect(int fd, long sockaddrAddress);

    /** The outcome of a pending connect: 0 or {@code -errno} (SO_ERROR). */
    int finishConnect(int fd);

    /** Bytes read, 0 at end of stream, or {@code -errno} ({@code -EAGAIN} when nothing is ready). */
    int read(int fd, long address, int length);

    int write(int fd, long address, int length);

    /** Writes from {@code count} iovec records at {@code iovecAddress}: bytes written or {@code -errno}. */
    long writev(int fd, long iovecAddress, int count);

    /**
     * Performs {@code count} reads described by {@link io.krill.internal.jni.IoOpDescriptor}
     * records at {@code opsAddress}, in order, each result written over its length; an fd of
     * {@code SKIP} is left alone. The JNI backend does them in one crossing; this default makes
     * one {@link #read} each, so a backend without a batch call (JNA, a fault-injecting test
     * one) behaves the same.
     *
     * @return {@code count}, or {@code -EINVAL} for a negative count
     */
    default int readBatch(long opsAddress, int count) {
        return IoOps.each(this, opsAddress, count, false);
    }

    /** As {@link #readBatch}, with one {@link #write} (a send) per record. */
    default int writeBatch(long opsAddress, int count) {
        return IoOps.each(this, opsAddress, count, true);
    }

    int close(int fd);

    int shutdown(int fd, int how);

    int setOption(int fd, int option, int value);

    /** {@code SocketNative.OPTION_PRESENT | (value & 0xffffffff)}, or {@code -errno}. */
    long getOption(int fd, int option);

    int localAddress(int fd, long sockaddrAddress);

    int peerAddress(int fd, long sockaddrAddress);
}
