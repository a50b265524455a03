/*
 * krill_socket.c ↔ SocketNative.java: the socket calls the reactor needs.
 *
 * Every socket is non-blocking and close-on-exec from birth. Writes never raise SIGPIPE
 * (MSG_NOSIGNAL on Linux, SO_NOSIGPIPE on macOS): a peer that went away shows up as -EPIPE.
 * Addresses cross the boundary as struct krill_sockaddr (see krill.h), never as Java objects.
 */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "krill.h"

#if !defined(__linux__)
/* Without SOCK_NONBLOCK/SOCK_CLOEXEC/accept4, set the flags after the fact. The descriptor is
 * not yet visible to any other thread, so the window a fork could see is the caller's only. */
static int prepare_fd(int fd) {
    int flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        int err = errno;
        close(fd);
        return -err;
    }
#if defined(SO_NOSIGPIPE)
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof(one)) < 0) {
        int err = errno;
        close(fd);
        return -err;
    }
#endif
    return fd;
}
#endif

static int to_native(const struct krill_sockaddr *in, struct sockaddr_storage *out,
                     socklen_t *len) {
    memset(out, 0, sizeof(*out));
    if (in->port > 65535u) return -EINVAL;
    if (in->family == KRILL_AF_INET4) {
        struct sockaddr_in *sin = (struct sockaddr_in *)(void *)out;
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)in->port);
        memcpy(&sin->sin_addr, in->addr, 4);
        *len = (socklen_t)sizeof(*sin);
        return 0;
    }
    if (in->family == KRILL_AF_INET6) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)out;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)in->port);
        sin6->sin6_flowinfo = htonl(in->flowinfo);
        sin6->sin6_scope_id = in->scope_id;
        memcpy(&sin6->sin6_addr, in->addr, 16);
        *len = (socklen_t)sizeof(*sin6);
        return 0;
    }
    return -EAFNOSUPPORT;
}

static int from_native(const struct sockaddr_storage *in, struct krill_sockaddr *out) {
    memset(out, 0, sizeof(*out));
    if (in->ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)in;
        out->family = KRILL_AF_INET4;
        out->port = ntohs(sin->sin_port);
        memcpy(out->addr, &sin->sin_addr, 4);
        return 0;
    }
    if (in->ss_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)(const void *)in;
        out->family = KRILL_AF_INET6;
        out->port = ntohs(sin6->sin6_port);
        out->flowinfo = ntohl(sin6->sin6_flowinfo);
        out->scope_id = sin6->sin6_scope_id;
        memcpy(out->addr, &sin6->sin6_addr, 16);
        return 0;
    }
    return -EAFNOSUPPORT;
}

int krill_socket_open(int family, int type) {
    int domain;
    if (family == (int)KRILL_AF_INET4) domain = AF_INET;
    else if (family == (int)KRILL_AF_INET6) domain = AF_INET6;
    else return -EAFNOSUPPORT;
    int sock_type;
    if (type == KRILL_SOCK_STREAM) sock_type = SOCK_STREAM;
    else if (type == KRILL_SOCK_DGRAM) sock_type = SOCK_DGRAM;
    else return -EINVAL;
#if defined(__linux__)
    int fd = socket(domain, sock_type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    return fd >= 0 ? fd : -errno;
#else
    int fd = socket(domain, sock_type, 0);
    return fd >= 0 ? prepare_fd(fd) : -errno;
#endif
}

int krill_socket_bind(int fd, const struct krill_sockaddr *addr) {
    struct sockaddr_storage sa;
    socklen_t len;
    int rc = to_native(addr, &sa, &len);
    if (rc != 0) return rc;
    return bind(fd, (struct sockaddr *)&sa, len) == 0 ? 0 : -errno;
}

int krill_socket_listen(int fd, int backlog) {
    return listen(fd, backlog) == 0 ? 0 : -errno;
}

int krill_socket_accept(int fd, struct krill_sockaddr *peer_or_null) {
    struct sockaddr_storage sa;
    socklen_t len = (socklen_t)sizeof(sa);
    int child;
    do {
#if defined(__linux__)
        child = accept4(fd, (struct sockaddr *)&sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
#else
        child = accept(fd, (struct sockaddr *)&sa, &len);
#endif
    } while (child < 0 && errno == EINTR);
    if (child < 0) return -errno;
#if !defined(__linux__)
    child = prepare_fd(child);
    if (child < 0) return child;
#endif
    if (peer_or_null != NULL && from_native(&sa, peer_or_null) != 0) {
        memset(peer_or_null, 0, sizeof(*peer_or_null));
    }
    return child;
}

int krill_socket_connect(int fd, const struct krill_sockaddr *addr) {
    struct sockaddr_storage sa;
    socklen_t len;
    int rc = to_native(addr, &sa, &len);
    if (rc != 0) return rc;
    if (connect(fd, (struct sockaddr *)&sa, len) == 0) return 0;
    /* An interrupted non-blocking connect goes on in the background, as EINPROGRESS does. */
    return errno == EINTR ? -EINPROGRESS : -errno;
}

int krill_socket_finish_connect(int fd) {
    int err = 0;
    socklen_t len = (socklen_t)sizeof(err);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return -errno;
    return -err;
}

ssize_t krill_socket_read(int fd, void *buf, size_t len) {
    ssize_t n;
    do {
        n = read(fd, buf, len);
    } while (n < 0 && errno == EINTR);
    return n >= 0 ? n : -errno;
}

ssize_t krill_socket_write(int fd, const void *buf, size_t len) {
    ssize_t n;
    do {
#if defined(__linux__)
        n = send(fd, buf, len, MSG_NOSIGNAL);
#else
        n = write(fd, buf, len);
#endif
    } while (n < 0 && errno == EINTR);
    return n >= 0 ? n : -errno;
}

ssize_t krill_socket_writev(int fd, const struct iovec *iov, int iovcnt) {
    if (iovcnt < 0) return -EINVAL;
    /* Writing fewer buffers than asked is an ordinary short write; the caller resumes. */
    if (iovcnt > IOV_MAX) iovcnt = IOV_MAX;
    ssize_t n;
    do {
#if defined(__linux__)
        struct msghdr msg;
        memset(&msg, 0, sizeof(msg));
        msg.msg_iov = (struct iovec *)(uintptr_t)iov;
        msg.msg_iovlen = (size_t)iovcnt;
        n = sendmsg(fd, &msg, MSG_NOSIGNAL);
#else
        n = writev(fd, iov, iovcnt);
#endif
    } while (n < 0 && errno == EINTR);
    return n >= 0 ? n : -errno;
}

/* One crossing for many operations: the reads (or sends) a reactor step would otherwise make
 * one JNI call each for. Each result overwrites its operation's length; an fd of -1 is
 * skipped and left as it is. Returns count, or -EINVAL for a negative count. */
static int io_batch(struct krill_io_op *ops, int count, int sending) {
    if (count < 0) return -EINVAL;
    for (int i = 0; i < count; i++) {
        struct krill_io_op *op = &ops[i];
        if (op->fd < 0) continue;
        if (op->length < 0) {
            op->length = -EINVAL;
            continue;
        }
        void *buf = KRILL_PTR(void *, op->address);
        op->length = (int32_t)(sending ? krill_socket_write(op->fd, buf, (size_t)op->length)
                                       : krill_socket_read(op->fd, buf, (size_t)op->length));
    }
    return count;
}

int krill_socket_read_batch(struct krill_io_op *ops, int count) {
    return io_batch(ops, count, 0);
}

int krill_socket_write_batch(struct krill_io_op *ops, int count) {
    return io_batch(ops, count, 1);
}

int krill_socket_close(int fd) {
    /* Never retry close: on Linux the descriptor is released even when close reports EINTR,
     * and a retry could close a descriptor another thread has just been given. */
    if (close(fd) == 0 || errno == EINTR) return 0;
    return -errno;
}

int krill_socket_shutdown(int fd, int how) {
    int native_how;
    if (how == KRILL_SHUT_READ) native_how = SHUT_RD;
    else if (how == KRILL_SHUT_WRITE) native_how = SHUT_WR;
    else if (how == KRILL_SHUT_BOTH) native_how = SHUT_RDWR;
    else return -EINVAL;
    return shutdown(fd, native_how) == 0 ? 0 : -errno;
}

/* Resolves a Krill option id to (level, name); -ENOPROTOOPT when this platform lacks it. */
static int option_of(int option, int *level, int *name) {
    switch (option) {
    case KRILL_SO_REUSEADDR: *level = SOL_SOCKET; *name = SO_REUSEADDR; return 0;
#if defined(SO_REUSEPORT)
    case KRILL_SO_REUSEPORT: *level = SOL_SOCKET; *name = SO_REUSEPORT; return 0;
#endif
    case KRILL_SO_KEEPALIVE: *level = SOL_SOCKET; *name = SO_KEEPALIVE; return 0;
    case KRILL_SO_RCVBUF: *level = SOL_SOCKET; *name = SO_RCVBUF; return 0;
    case KRILL_SO_SNDBUF: *level = SOL_SOCKET; *name = SO_SNDBUF; return 0;
    case KRILL_SO_LINGER: *level = SOL_SOCKET; *name = SO_LINGER; return 0;
    case KRILL_TCP_NODELAY: *level = IPPROTO_TCP; *name = TCP_NODELAY; return 0;
    case KRILL_SO_ERROR: *level = SOL_SOCKET; *name = SO_ERROR; return 0;
    case KRILL_IPV6_V6ONLY: *level = IPPROTO_IPV6; *name = IPV6_V6ONLY; return 0;
    case KRILL_SO_BROADCAST: *level = SOL_SOCKET; *name = SO_BROADCAST; return 0;
    default: return (option >= 0 && option < KRILL_SOCKOPT_COUNT) ? -ENOPROTOOPT : -EINVAL;
    }
}

int krill_socket_set_option(int fd, int option, int value) {
    int level, name;
    int rc = option_of(option, &level, &name);
    if (rc != 0) return rc;
    if (option == KRILL_SO_ERROR) return -ENOPROTOOPT; /* read-only */
    if (option == KRILL_SO_LINGER) {
        struct linger linger;
        linger.l_onoff = value >= 0;
        linger.l_linger = value >= 0 ? value : 0;
        return setsockopt(fd, level, name, &linger, sizeof(linger)) == 0 ? 0 : -errno;
    }
    return setsockopt(fd, level, name, &value, sizeof(value)) == 0 ? 0 : -errno;
}

int64_t krill_socket_get_option(int fd, int option) {
    int level, name;
    int rc = option_of(option, &level, &name);
    if (rc != 0) return rc;
    int value;
    if (option == KRILL_SO_LINGER) {
        struct linger linger;
        socklen_t len = (socklen_t)sizeof(linger);
        if (getsockopt(fd, level, name, &linger, &len) != 0) return -errno;
        value = linger.l_onoff ? linger.l_linger : -1;
    } else {
        socklen_t len = (socklen_t)sizeof(value);
        if (getsockopt(fd, level, name, &value, &len) != 0) return -errno;
    }
    return KRILL_OPTION_PRESENT | (int64_t)(uint32_t)value;
}

int krill_socket_local_address(int fd, struct krill_sockaddr *out) {
    struct sockaddr_storage sa;
    socklen_t len = (socklen_t)sizeof(sa);
    if (getsockname(fd, (struct sockaddr *)&sa, &len) != 0) return -errno;
    return from_native(&sa, out);
}

int krill_socket_peer_address(int fd, struct krill_sockaddr *out) {
    struct sockaddr_storage sa;
    socklen_t len = (socklen_t)sizeof(sa);
    if (getpeername(fd, (struct sockaddr *)&sa, &len) != 0) return -errno;
    return from_native(&sa, out);
}

/* ---- JNI wrappers ---------------------------------------------------------------------- */

static jint JNICALL open0(JNIEnv *env, jclass cls, jint family, jint type) {
    (void)env; (void)cls;
    return krill_socket_open(family, type);
}

static jint JNICALL bind0(JNIEnv *env, jclass cls, jint fd, jlong sockaddr_address) {
    (void)env; (void)cls;
    return krill_socket_bind(fd, KRILL_PTR(const struct krill_sockaddr *, sockaddr_address));
}

static jint JNICALL listen0(JNIEnv *env, jclass cls, jint fd, jint backlog) {
    (void)env; (void)cls;
    return krill_socket_listen(fd, backlog);
}

static jint JNICALL accept0(JNIEnv *env, jclass cls, jint fd, jlong peer_address_or_zero) {
    (void)env; (void)cls;
    return krill_socket_accept(fd, KRILL_PTR(struct krill_sockaddr *, peer_address_or_zero));
}

static jint JNICALL connect0(JNIEnv *env, jclass cls, jint fd, jlong sockaddr_address) {
    (void)env; (void)cls;
    return krill_socket_connect(fd, KRILL_PTR(const struct krill_sockaddr *, sockaddr_address));
}

static jint JNICALL finish_connect0(JNIEnv *env, jclass cls, jint fd) {
    (void)env; (void)cls;
    return krill_socket_finish_connect(fd);
}

static jint JNICALL read0(JNIEnv *env, jclass cls, jint fd, jlong address, jint length) {
    (void)env; (void)cls;
    if (length < 0) return -EINVAL;
    return (jint)krill_socket_read(fd, KRILL_PTR(void *, address), (size_t)length);
}

static jint JNICALL write0(JNIEnv *env, jclass cls, jint fd, jlong address, jint length) {
    (void)env; (void)cls;
    if (length < 0) return -EINVAL;
    return (jint)krill_socket_write(fd, KRILL_PTR(const void *, address), (size_t)length);
}

static jlong JNICALL writev0(JNIEnv *env, jclass cls, jint fd, jlong iov_address, jint count) {
    (void)env; (void)cls;
    return (jlong)krill_socket_writev(fd, KRILL_PTR(const struct iovec *, iov_address), count);
}

static jint JNICALL read_batch0(JNIEnv *env, jclass cls, jlong ops_address, jint count) {
    (void)env; (void)cls;
    return krill_socket_read_batch(KRILL_PTR(struct krill_io_op *, ops_address), count);
}

static jint JNICALL write_batch0(JNIEnv *env, jclass cls, jlong ops_address, jint count) {
    (void)env; (void)cls;
    return krill_socket_write_batch(KRILL_PTR(struct krill_io_op *, ops_address), count);
}

static jint JNICALL close0(JNIEnv *env, jclass cls, jint fd) {
    (void)env; (void)cls;
    return krill_socket_close(fd);
}

static jint JNICALL shutdown0(JNIEnv *env, jclass cls, jint fd, jint how) {
    (void)env; (void)cls;
    return krill_socket_shutdown(fd, how);
}

static jint JNICALL set_option0(JNIEnv *env, jclass cls, jint fd, jint option, jint value) {
    (void)env; (void)cls;
    return krill_socket_set_option(fd, option, value);
}

static jlong JNICALL get_option0(JNIEnv *env, jclass cls, jint fd, jint option) {
    (void)env; (void)cls;
    return krill_socket_get_option(fd, option);
}

static jint JNICALL local_address0(JNIEnv *env, jclass cls, jint fd, jlong out_address) {
    (void)env; (void)cls;
    return krill_socket_local_address(fd, KRILL_PTR(struct krill_sockaddr *, out_address));
}

static jint JNICALL peer_address0(JNIEnv *env, jclass cls, jint fd, jlong out_address) {
    (void)env; (void)cls;
    return krill_socket_peer_address(fd, KRILL_PTR(struct krill_sockaddr *, out_address));
}

static const JNINativeMethod methods[] = {
    {"open", "(II)I", (void *)open0},
    {"bind", "(IJ)I", (void *)bind0},
    {"listen", "(II)I", (void *)listen0},
    {"accept", "(IJ)I", (void *)accept0},
    {"connect", "(IJ)I", (void *)connect0},
    {"finishConnect", "(I)I", (void *)finish_connect0},
    {"read", "(IJI)I", (void *)read0},
    {"write", "(IJI)I", (void *)write0},
    {"writev", "(IJI)J", (void *)writev0},
    {"readBatch", "(JI)I", (void *)read_batch0},
    {"writeBatch", "(JI)I", (void *)write_batch0},
    {"close", "(I)I", (void *)close0},
    {"shutdown", "(II)I", (void *)shutdown0},
    {"setOption", "(III)I", (void *)set_option0},
    {"getOption", "(II)J", (void *)get_option0},
    {"localAddress", "(IJ)I", (void *)local_address0},
    {"peerAddress", "(IJ)I", (void *)peer_address0},
};

int krill_socket_register(JNIEnv *env, const char *package) {
    return krill_register_natives(env, package, "SocketNative", methods,
                                  (int)(sizeof(methods) / sizeof(methods[0])));
}
