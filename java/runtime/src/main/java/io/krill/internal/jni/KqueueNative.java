package io.krill.internal.jni;

/**
 * Natives of {@code krill_kqueue.c} (macOS/BSD, and a Linux library built against libkqueue
 * by {@code ci/kqueue-check}; unregistered elsewhere). Results are a count or
 * descriptor (&gt;= 0) or {@code -errno}. kqueue reports one record per (descriptor, filter).
 */
public final class KqueueNative {

    private KqueueNative() {}

    public static native int kqueueCreate();

    /** Adds or modifies the read and write filters of {@code fd} to match {@code interest}. */
    public static native int kqueueRegister(int kq, int fd, int interest, long token);

    public static native int kqueueDeregister(int kq, int fd);

    /** Adds the EVFILT_USER wake-up event, reported as READABLE with {@code token}. */
    public static native int kqueueAddUser(int kq, long token);

    /**
     * Fires the wake-up event. A kevent that modifies a knote replaces its udata too (kqueue(2)
     * on macOS and FreeBSD), so the trigger carries the wake-up's token again.
     */
    public static native int kqueueTriggerUser(int kq, long token);

    /**
     * As {@link EpollNative#epollWait}. A record whose socket reported an error (EV_EOF with
     * the error in fflags) has {@code ERROR} set and the error as its {@code result}.
     */
    public static native int kqueueWait(int kq, long recordsAddress, int maxEvents, int timeoutMillis);

    /** As {@link EpollNative#epollWaitRing}: appends to the SPSC ring at {@code ringAddress}. */
    public static native int kqueueWaitRing(int kq, long ringAddress, int timeoutMillis);
}
