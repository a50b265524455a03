package io.krill.internal.reactor;

/**
 * The system calls the reactor makes, behind one interface so that another backend (a JNA
 * one, per the design) can stand in without touching the reactor. Every method returns a count
 * or descriptor (&gt;= 0) or {@code -errno}, as the JNI shims do.
 */
public interface NativeIo {

    int epollCreate();

    int epollAdd(int epfd, int fd, int interest, long token);

    int epollDelete(int epfd, int fd);

    /** Waits and appends event records to the SPSC ring at {@code ringAddress}. */
    int epollWaitRing(int epfd, long ringAddress, int timeoutMillis);

    int eventfdCreate();

    int eventfdWrite(int fd, long value);

    long eventfdRead(int fd);

    int close(int fd);
}
