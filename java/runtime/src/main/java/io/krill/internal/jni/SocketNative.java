package io.krill.internal.jni;

/**
 * Natives of {@code krill_socket.c}. Each returns a count or descriptor (&gt;= 0) or
 * {@code -errno}; addresses are off-heap {@link SockaddrDescriptor} records, buffers are off-heap
 * addresses. Every socket is non-blocking and close-on-exec; writes never raise SIGPIPE.
 */
public final class SocketNative {

    private SocketNative() {}

    /** Socket types; keep in sync with krill.h. */
    public static final int STREAM = 1;
    public static final int DGRAM = 2;

    /** shutdown directions; keep in sync with krill.h. */
    public static final int SHUT_READ = 0;
    public static final int SHUT_WRITE = 1;
    public static final int SHUT_BOTH = 2;

    /**
     * Set in a successful {@link #getOption} result above the 32-bit value, so that every value
     * is told apart from {@code -errno}. Keep in sync with krill.h:KRILL_OPTION_PRESENT.
     */
    public static final long OPTION_PRESENT = 1L << 32;

    /** @param family {@link SockaddrDescriptor#FAMILY_IPV4} or {@link SockaddrDescriptor#FAMILY_IPV6} */
    public static native int open(int family, int type);

    public static native int bind(int fd, long sockaddrAddress);

    public static native int listen(int fd, int backlog);

    /** @param peerSockaddrAddressOrZero where to write the peer's address, or 0 */
    public static native int accept(int fd, long peerSockaddrAddressOrZero);

    /** Returns 0, {@code -EINPROGRESS} (finish with {@link #finishConnect}) or {@code -errno}. */
    public static native int connect(int fd, long sockaddrAddress);

    /** The outcome of a pending connect: 0 or {@code -errno} (SO_ERROR). */
    public static native int finishConnect(int fd);

    /** Bytes read, 0 at end of stream, or {@code -errno} ({@code -EAGAIN} when nothing is ready). */
    public static native int read(int fd, long address, int length);

    public static native int write(int fd, long address, int length);

    /** Writes from {@code count} {@link IovecDescriptor} entries; returns bytes written or {@code -errno}. */
    public static native long writev(int fd, long iovecAddress, int count);

    /** {@code count} reads of {@link IoOpDescriptor} records at {@code opsAddress}, one crossing: count or {@code -EINVAL}. */
    public static native int readBatch(long opsAddress, int count);

    /** {@code count} sends of {@link IoOpDescriptor} records at {@code opsAddress}, one crossing: count or {@code -EINVAL}. */
    public static native int writeBatch(long opsAddress, int count);

    public static native int close(int fd);

    public static native int shutdown(int fd, int how);

    /** @param option a {@link SocketOption#id()} */
    public static native int setOption(int fd, int option, int value);

    /** {@link #OPTION_PRESENT} | (value &amp; 0xffffffff), or {@code -errno}. */
    public static native long getOption(int fd, int option);

    public static native int localAddress(int fd, long sockaddrAddress);

    public static native int peerAddress(int fd, long sockaddrAddress);
}
