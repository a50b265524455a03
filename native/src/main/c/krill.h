/*
 * krill.h: the records Krill shares with Java, and the plain-C cores of every shim.
 *
 * Each krill_<concern>.c holds two layers:
 *   - a core function per call (krill_epoll_wait, krill_socket_read, ...) that takes primitives
 *     and raw pointers, returns a count or -errno, never allocates and never touches the JVM;
 *     the C tests under src/test/c call these directly, under AddressSanitizer/UBSan;
 *   - a thin JNI wrapper per core, registered from a table by krill_<concern>_register()
 *     which krill_onload.c calls from JNI_OnLoad.
 * The library is built with -fvisibility=hidden: JNI_OnLoad/JNI_OnUnload are its only exports.
 *
 * Every layout and constant below is mirrored in Java. Keep in sync with the Java class named
 * next to it; the load-time ABI check (krill_onload.c:krill_abi_layout ↔ AbiLayout.java)
 * refuses to start when the two disagree.
 */
#ifndef KRILL_H
#define KRILL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <jni.h>

/* Bump on any change to a record, a constant below, or a native method's signature.
 * Keep in sync with AbiLayout.java:ABI_VERSION. */
#define KRILL_ABI_VERSION 5

/* ---- event record: what a poll writes, one per ready descriptor -------------------------
 * Keep in sync with EventRecordDescriptor.java.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        token (low 32 bits)                    |
 *  +---------------------------------------------------------------+
 *  |                        token (high 32 bits)                   |
 *  +---------------------------------------------------------------+
 *  |                        readiness bits                         |
 *  +---------------------------------------------------------------+
 *  |       result: 0, or kqueue's -errno for an error event        |
 *  +---------------------------------------------------------------+
 */
struct krill_event {
    uint64_t token;
    uint32_t readiness;
    int32_t result;
};

/* Readiness bits reported in krill_event.readiness; the same bits express interest
 * (KRILL_READABLE / KRILL_WRITABLE) when registering. Keep in sync with Readiness.java. */
#define KRILL_READABLE    0x01u
#define KRILL_WRITABLE    0x02u
#define KRILL_ERROR       0x04u
#define KRILL_HANGUP      0x08u
#define KRILL_READ_HANGUP 0x10u
/* Registration flags, OR-ed into the interest word. Keep in sync with Readiness.java. */
#define KRILL_EDGE_TRIGGERED 0x100u
#define KRILL_ONESHOT        0x200u

/* ---- rings: off-heap SPSC rings of krill_event records ---------------------------------------
 * Keep in sync with RingDescriptor.java.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        tail: next position the producer writes (u64)          |    0
 *  +---------------------------------------------------------------+
 *  |        ... 120 bytes of padding: tail alone on its lines      |
 *  +---------------------------------------------------------------+
 *  |        head: next position the consumer reads (u64)           |  128
 *  +---------------------------------------------------------------+
 *  |        ... 120 bytes of padding                               |
 *  +---------------------------------------------------------------+
 *  |        capacity in records (u32, a power of two)              |  256
 *  +---------------------------------------------------------------+
 *  |        ... padding to 384                                     |
 *  +---------------------------------------------------------------+
 *  |        records[capacity], 16 bytes each (struct krill_event)  |  384
 *  +---------------------------------------------------------------+
 *
 * Positions only grow; a record lives at records[position & (capacity - 1)]. The producer
 * stores tail with release after writing records (the consumer loads it with acquire); the
 * consumer stores head with release after reading them (the producer loads it with acquire).
 */
#define KRILL_RING_TAIL_OFFSET 0
#define KRILL_RING_HEAD_OFFSET 128
#define KRILL_RING_CAPACITY_OFFSET 256
#define KRILL_RING_RECORDS_OFFSET 384

/* The fields of a ring at `ring`, by the offsets above: the one place C does that arithmetic. */
struct krill_ring_view {
    uint64_t *tail;
    uint64_t *head;
    uint32_t capacity;
    struct krill_event *records;
};

static inline struct krill_ring_view krill_ring_view_of(void *ring) {
    unsigned char *base = (unsigned char *)ring;
    struct krill_ring_view view;
    view.tail = (uint64_t *)(void *)(base + KRILL_RING_TAIL_OFFSET);
    view.head = (uint64_t *)(void *)(base + KRILL_RING_HEAD_OFFSET);
    view.capacity = *(uint32_t *)(void *)(base + KRILL_RING_CAPACITY_OFFSET);
    view.records = (struct krill_event *)(void *)(base + KRILL_RING_RECORDS_OFFSET);
    return view;
}

/* A poller's side of a ring (it is the producer): the tail to write from, through *tail, and
 * how many records fit, at most `batch`; 0 means full, and the caller must not drop an event. */
static inline int krill_ring_room(struct krill_ring_view r, uint64_t *tail, int batch) {
    *tail = __atomic_load_n(r.tail, __ATOMIC_RELAXED); /* this thread is the producer */
    uint64_t head = __atomic_load_n(r.head, __ATOMIC_ACQUIRE); /* pairs with SpscRing.drain's release */
    uint64_t room = r.capacity - (*tail - head);
    return room < (uint64_t)batch ? (int)room : batch;
}

/* ---- socket address: written by Java for bind/connect, by C for accept/getsockname -------
 * Keep in sync with SockaddrDescriptor.java.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |               family: 4 (IPv4) or 6 (IPv6)                    |  0
 *  +---------------------------------------------------------------+
 *  |               port (host byte order, 0..65535)                |  4
 *  +---------------------------------------------------------------+
 *  |               IPv6 scope id                                   |  8
 *  +---------------------------------------------------------------+
 *  |               IPv6 flow info (host byte order)                | 12
 *  +---------------------------------------------------------------+
 *  |               address: 4 bytes (IPv4) or 16 bytes (IPv6),     | 16
 *  |               network byte order                              |
 *  +---------------------------------------------------------------+
 */
struct krill_sockaddr {
    uint32_t family;
    uint32_t port;
    uint32_t scope_id;
    uint32_t flowinfo;
    uint8_t addr[16];
};
#define KRILL_AF_INET4 4u
#define KRILL_AF_INET6 6u

/* ---- I/O operation: one read or write of a batch (krill_socket_read_batch / _write_batch) --
 * Keep in sync with IoOpDescriptor.java.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |               buffer address (64-bit)                         |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |               file descriptor (i32), or -1: skip this one     |  8
 *  +---------------------------------------------------------------+
 *  |               in: bytes to move; out: bytes moved, or -errno  | 12
 *  +---------------------------------------------------------------+
 *
 * A batch makes one system call per operation (no retry on a short count, as one read() or
 * send() would not), in order, and writes each result over that operation's length.
 */
struct krill_io_op {
    uint64_t address;
    int32_t fd;
    int32_t length;
};

/* Socket types for krill_socket_open. Keep in sync with SocketNative.java. */
#define KRILL_SOCK_STREAM 1
#define KRILL_SOCK_DGRAM  2

/* shutdown(2) directions. Keep in sync with SocketNative.java. */
#define KRILL_SHUT_READ  0
#define KRILL_SHUT_WRITE 1
#define KRILL_SHUT_BOTH  2

/* Socket options, by Krill id. Keep in sync with SocketOption.java (the enum's ordinal). */
enum krill_sockopt {
    KRILL_SO_REUSEADDR = 0,
    KRILL_SO_REUSEPORT,
    KRILL_SO_KEEPALIVE,
    KRILL_SO_RCVBUF,
    KRILL_SO_SNDBUF,
    KRILL_SO_LINGER, /* value: seconds, or -1 for off */
    KRILL_TCP_NODELAY,
    KRILL_SO_ERROR,  /* get only: the pending error, as a positive errno */
    KRILL_IPV6_V6ONLY,
    KRILL_SO_BROADCAST,
    KRILL_SOCKOPT_COUNT
};

/* A successful krill_socket_get_option sets this bit above the 32-bit value so that every
 * value, negative ones included, is told apart from -errno. Keep in sync with SocketNative.java. */
#define KRILL_OPTION_PRESENT (INT64_C(1) << 32)

/* Errno values, in the order of Errno.java's constants. Keep in sync with Errno.java. */
#define KRILL_ERRNO_COUNT 36
extern const int krill_errno_table[KRILL_ERRNO_COUNT];

/* ---- cores (return >= 0 on success, -errno on failure) ---------------------------------- */

/* krill_epoll.c (Linux only) */
#if defined(__linux__)
int krill_epoll_create(void);
int krill_epoll_add(int epfd, int fd, uint32_t interest, uint64_t token);
int krill_epoll_modify(int epfd, int fd, uint32_t interest, uint64_t token);
int krill_epoll_delete(int epfd, int fd);
int krill_epoll_wait(int epfd, struct krill_event *out, int max_events, int timeout_millis);
int krill_epoll_wait_ring(int epfd, void *ring, int timeout_millis);
int krill_eventfd_create(void);
int krill_eventfd_write(int fd, uint64_t value);
int64_t krill_eventfd_read(int fd);
#endif

/* krill_kqueue.c: macOS and BSD, and Linux when built against libkqueue for a local check
 * (-DKRILL_LIBKQUEUE; ci/kqueue-check). Such a Linux library has both pollers. */
#if defined(__APPLE__) || defined(__FreeBSD__) || defined(KRILL_LIBKQUEUE)
#define KRILL_HAVE_KQUEUE 1
int krill_kqueue_create(void);
int krill_kqueue_register(int kq, int fd, uint32_t interest, uint64_t token);
int krill_kqueue_deregister(int kq, int fd);
int krill_kqueue_add_user(int kq, uint64_t token);
int krill_kqueue_trigger_user(int kq, uint64_t token);
int krill_kqueue_wait(int kq, struct krill_event *out, int max_events, int timeout_millis);
int krill_kqueue_wait_ring(int kq, void *ring, int timeout_millis);
#endif

/* krill_ring.c: returns records written / read (0 when full / empty) */
int krill_ring_offer(void *ring, const struct krill_event *events, int count);
int krill_ring_poll(void *ring, struct krill_event *out, int max);

/* krill_socket.c */
int krill_socket_open(int family, int type);
int krill_socket_bind(int fd, const struct krill_sockaddr *addr);
int krill_socket_listen(int fd, int backlog);
int krill_socket_accept(int fd, struct krill_sockaddr *peer_or_null);
int krill_socket_connect(int fd, const struct krill_sockaddr *addr);
int krill_socket_finish_connect(int fd);
ssize_t krill_socket_read(int fd, void *buf, size_t len);
ssize_t krill_socket_write(int fd, const void *buf, size_t len);
ssize_t krill_socket_writev(int fd, const struct iovec *iov, int iovcnt);
int krill_socket_read_batch(struct krill_io_op *ops, int count);
int krill_socket_write_batch(struct krill_io_op *ops, int count);
int krill_socket_close(int fd);
int krill_socket_shutdown(int fd, int how);
int krill_socket_set_option(int fd, int option, int value);
int64_t krill_socket_get_option(int fd, int option);
int krill_socket_local_address(int fd, struct krill_sockaddr *out);
int krill_socket_peer_address(int fd, struct krill_sockaddr *out);

/* krill_onload.c: the ABI layout table, krill_abi_layout_count entries. */
extern const int krill_abi_layout[];
extern const int krill_abi_layout_count;

/* ---- JNI registration (each returns 0 or a JNI error code) ------------------------------ */
/* `package` is the Java package of the classes whose natives these are, in internal form
 * ("io/krill/internal/jni", or wherever a shading tool relocated it): JNI_OnLoad learns it
 * from the class that called System.load (krill_onload.c:krill_caller_package). */
int krill_onload_register(JNIEnv *env, const char *package);
int krill_errors_register(JNIEnv *env, const char *package);
int krill_epoll_register(JNIEnv *env, const char *package);
int krill_kqueue_register_natives(JNIEnv *env, const char *package);
int krill_socket_register(JNIEnv *env, const char *package);
int krill_ring_register(JNIEnv *env, const char *package);

/* Registers `count` natives of the class `package`/`simple_name`; shared by every
 * krill_*_register. On failure an exception is pending (NoClassDefFoundError, NoSuchMethodError
 * or UnsatisfiedLinkError) and JNI_OnLoad hands it to System.load's caller. */
int krill_register_natives(JNIEnv *env, const char *package, const char *simple_name,
                           const JNINativeMethod *methods, int count);

/* If `binary_name` (e.g. "a.b.NativeLibraryLoader") names the class that loads libkrill,
 * writes its package in internal form ("a/b") to `out` and returns 1; returns 0 for any other
 * class and -1 when the package does not fit in `size` bytes. */
int krill_loader_package(const char *binary_name, char *out, size_t size);

/* A jlong holding an off-heap address, as a pointer. */
#define KRILL_PTR(type, address) ((type)(uintptr_t)(address))

#endif /* KRILL_H */
