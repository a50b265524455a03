package io.krill.internal.jna;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * The C library calls of the JNA backend on Linux, bound by JNA's direct mapping
 * ({@link Native#register}): one {@code RegisterNatives} at class initialisation, then each
 * call is a JNI call into JNA's dispatcher, with no {@code Object[]} of arguments and no
 * reflection per call. {@code errno} is kept by JNA per thread and read with
 * {@link Native#getLastError()} straight after the call.
 *
 * <p>Pointers are passed as {@code long}. On the LP64 ABIs this backend runs on (x86-64
 * System V, AArch64 AAPCS64) a pointer and a 64-bit integer travel in the same register, so the
 * C function sees the address; it saves a {@code Pointer} object per call. {@code size_t} and
 * {@code ssize_t} are {@code long}; {@code socklen_t} is {@code int}.
 */
final class LinuxLibc {

    static {
        Native.register(LinuxLibc.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private LinuxLibc() {}

    /** Runs the class initialiser: binds the natives, or throws what JNA threw. */
    static void bind() {}

    static native int epoll_create1(int flags);

    static native int epoll_ctl(int epfd, int op, int fd, long event);

    static native int epoll_wait(int epfd, long events, int maxEvents, int timeoutMillis);

    static native int eventfd(int initialValue, int flags);

    static native long read(int fd, long buffer, long count);

    static native long write(int fd, long buffer, long count);

    static native long send(int fd, long buffer, long length, int flags);

    static native long sendmsg(int fd, long msghdr, int flags);

    static native int socket(int domain, int type, int protocol);

    static native int bind(int fd, long sockaddr, int length);

    static native int listen(int fd, int backlog);

    static native int accept4(int fd, long sockaddr, long lengthInOut, int flags);

    static native int connect(int fd, long sockaddr, int length);

    static native int getsockopt(int fd, int level, int name, long value, long lengthInOut);

    static native int setsockopt(int fd, int level, int name, long value, int length);

    static native int getsockname(int fd, long sockaddr, long lengthInOut);

    static native int getpeername(int fd, long sockaddr, long lengthInOut);

    static native int shutdown(int fd, int how);

    static native int close(int fd);

    /** Cold: the message for an error number (glibc and musl return a static string for known ones). */
    static native String strerror(int errnum);
}
