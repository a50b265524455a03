package io.krill.internal.jni;

import io.krill.internal.ring.EventRecordDescriptor;
/**
 * Natives of {@code krill_epoll.c} (Linux). Results are a count or descriptor (&gt;= 0) or
 * {@code -errno}. Interest is {@link Readiness} bits plus its flags; tokens are opaque 64-bit
 * values returned in event records.
 */
public final class EpollNative {

    private EpollNative() {}

    public static native int epollCreate();

    public static native int epollAdd(int epfd, int fd, int interest, long token);

    public static native int epollModify(int epfd, int fd, int interest, long token);

    public static native int epollDelete(int epfd, int fd);

    /**
     * Waits for events and writes one {@link EventRecordDescriptor} record per ready descriptor
     * at {@code recordsAddress}: one crossing per batch.
     *
     * @param maxEvents     capacity of the buffer, in records (&gt; 0)
     * @param timeoutMillis -1 to wait without limit, 0 to poll
     * @return records written (0 on timeout or signal), or {@code -errno}
     */
    public static native int epollWait(int epfd, long recordsAddress, int maxEvents, int timeoutMillis);

    /**
     * Waits and appends one record per ready descriptor to the SPSC ring at {@code ringAddress}
     * (one crossing per batch, no copy through Java).
     *
     * @return records appended (0 on timeout or signal), {@code -ENOBUFS} when the ring is full
     *         (drain it first; no event is dropped), or {@code -errno}
     */
    public static native int epollWaitRing(int epfd, long ringAddress, int timeoutMillis);

    /** A non-blocking, close-on-exec eventfd with counter 0. */
    public static native int eventfdCreate();

    /** Adds {@code value} (&gt; 0) to the counter; 0 or {@code -errno}. */
    public static native int eventfdWrite(int fd, long value);

    /** Reads and resets the counter; {@code -EAGAIN} when it is 0. */
    public static native long eventfdRead(int fd);
}
