package io.krill.internal.jni;

/**
 * Natives of {@code krill_kqueue.c} (macOS/BSD; unregistered elsewhere). Results are a count or
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

    /** Fires the wake-up event. */
    public static native int kqueueTriggerUser(int kq);

    /** As {@link EpollNative#epollWait}. */
    public static native int kqueueWait(int kq, long recordsAddress, int maxEvents, int timeoutMillis);
}
