/*
 * krill_epoll.c ↔ EpollNative.java: epoll and eventfd (Linux only).
 *
 * One crossing per batch: krill_epoll_wait fills the caller's off-heap buffer with
 * krill_event records (token, readiness) and returns how many it wrote.
 */
#if defined(__linux__)

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "krill.h"

/* krill_epoll_wait lets the kernel write struct epoll_event records straight into the caller's
 * buffer, then widens them in place into krill_event records. That is only sound while an
 * epoll_event is no larger than a krill_event (12 bytes packed on x86_64, 16 elsewhere). */
_Static_assert(sizeof(struct epoll_event) <= sizeof(struct krill_event),
               "in-place widening needs epoll_event <= krill_event");

static uint32_t to_epoll_events(uint32_t interest) {
    uint32_t events = EPOLLRDHUP;
    if (interest & KRILL_READABLE) events |= EPOLLIN;
    if (interest & KRILL_WRITABLE) events |= EPOLLOUT;
    if (interest & KRILL_EDGE_TRIGGERED) events |= EPOLLET;
    if (interest & KRILL_ONESHOT) events |= EPOLLONESHOT;
    return events;
}

static uint32_t to_readiness(uint32_t events) {
    uint32_t readiness = 0;
    if (events & (EPOLLIN | EPOLLPRI)) readiness |= KRILL_READABLE;
    if (events & EPOLLOUT) readiness |= KRILL_WRITABLE;
    if (events & EPOLLERR) readiness |= KRILL_ERROR;
    if (events & EPOLLHUP) readiness |= KRILL_HANGUP;
    if (events & EPOLLRDHUP) readiness |= KRILL_READ_HANGUP;
    return readiness;
}

int krill_epoll_create(void) {
    int fd = epoll_create1(EPOLL_CLOEXEC);
    return fd >= 0 ? fd : -errno;
}

static int epoll_ctl_op(int epfd, int op, int fd, uint32_t interest, uint64_t token) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.events = to_epoll_events(interest);
    ev.data.u64 = token;
    return epoll_ctl(epfd, op, fd, &ev) == 0 ? 0 : -errno;
}

int krill_epoll_add(int epfd, int fd, uint32_t interest, uint64_t token) {
    return epoll_ctl_op(epfd, EPOLL_CTL_ADD, fd, interest, token);
}

int krill_epoll_modify(int epfd, int fd, uint32_t interest, uint64_t token) {
    return epoll_ctl_op(epfd, EPOLL_CTL_MOD, fd, interest, token);
}

int krill_epoll_delete(int epfd, int fd) {
    /* A non-NULL event keeps pre-2.6.9 kernels happy and costs nothing. */
    struct epoll_event unused;
    memset(&unused, 0, sizeof(unused));
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &unused) == 0 ? 0 : -errno;
}

int krill_epoll_wait(int epfd, struct krill_event *out, int max_events, int timeout_millis) {
    if (max_events <= 0) return -EINVAL;
    struct epoll_event *raw = (struct epoll_event *)(void *)out;
    int n = epoll_wait(epfd, raw, max_events, timeout_millis);
    if (n < 0) {
        /* A signal cut the wait short: report an empty batch, the caller polls again with a
         * fresh timeout (retrying here would stretch the caller's deadline). */
        return errno == EINTR ? 0 : -errno;
    }
    /* Widen back to front: record i occupies [16i, 16i+16), raw event j occupies
     * [sizeof(epoll_event) * j, ...). For every j < i, raw event j ends at or before 16i, and
     * raw event i is copied out before record i is written, so no unread event is clobbered. */
    for (int i = n - 1; i >= 0; i--) {
        struct epoll_event ev;
        memcpy(&ev, &raw[i], sizeof(ev));
        out[i].token = ev.data.u64;
        out[i].readiness = to_readiness(ev.events);
        out[i].result = 0;
    }
    return n;
}

/* One crossing per batch, straight into a worker's event ring: waits for at most as many
 * events as the ring has room for (and KRILL_EPOLL_RING_BATCH), then appends their records and
 * publishes them with one release store of tail (see krill_ring.c for the orderings). */
#define KRILL_EPOLL_RING_BATCH 256 /* guess: a worker drains the ring after every wait anyway */

int krill_epoll_wait_ring(int epfd, void *ring, int timeout_millis) {
    struct krill_ring_view r = krill_ring_view_of(ring);
    uint64_t tail;
    int max = krill_ring_room(r, &tail, KRILL_EPOLL_RING_BATCH);
    if (max == 0) return -ENOBUFS; /* the consumer must drain first; never drop an event */
    struct epoll_event batch[KRILL_EPOLL_RING_BATCH];
    int n = epoll_wait(epfd, batch, max, timeout_millis);
    if (n < 0) return errno == EINTR ? 0 : -errno;
    for (int i = 0; i < n; i++) {
        struct krill_event *record = &r.records[(tail + (uint64_t)i) & (r.capacity - 1)];
        record->token = batch[i].data.u64;
        record->readiness = to_readiness(batch[i].events);
        record->result = 0;
    }
    __atomic_store_n(r.tail, tail + (uint64_t)n, __ATOMIC_RELEASE); /* pairs with drain's acquire */
    return n;
}

int krill_eventfd_create(void) {
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return fd >= 0 ? fd : -errno;
}

int krill_eventfd_write(int fd, uint64_t value) {
    for (;;) {
        ssize_t n = write(fd, &value, sizeof(value));
        if (n == (ssize_t)sizeof(value)) return 0;
        if (n < 0 && errno == EINTR) continue;
        return n < 0 ? -errno : -EIO;
    }
}

int64_t krill_eventfd_read(int fd) {
    for (;;) {
        uint64_t value = 0;
        ssize_t n = read(fd, &value, sizeof(value));
        /* The counter never exceeds 0xfffffffffffffffe; values past INT64_MAX cannot come from
         * Krill's own writes (each adds 1), so the sign bit stays free for -errno. */
        if (n == (ssize_t)sizeof(value)) return (int64_t)(value & INT64_MAX);
        if (n < 0 && errno == EINTR) continue;
        return n < 0 ? -errno : -EIO;
    }
}

/* ---- JNI wrappers ---------------------------------------------------------------------- */

static jint JNICALL epoll_create0(JNIEnv *env, jclass cls) {
    (void)env; (void)cls;
    return krill_epoll_create();
}

static jint JNICALL epoll_add0(JNIEnv *env, jclass cls, jint epfd, jint fd, jint interest,
                               jlong token) {
    (void)env; (void)cls;
    return krill_epoll_add(epfd, fd, (uint32_t)interest, (uint64_t)token);
}

static jint JNICALL epoll_modify0(JNIEnv *env, jclass cls, jint epfd, jint fd, jint interest,
                                  jlong token) {
    (void)env; (void)cls;
    return krill_epoll_modify(epfd, fd, (uint32_t)interest, (uint64_t)token);
}

static jint JNICALL epoll_delete0(JNIEnv *env, jclass cls, jint epfd, jint fd) {
    (void)env; (void)cls;
    return krill_epoll_delete(epfd, fd);
}

static jint JNICALL epoll_wait0(JNIEnv *env, jclass cls, jint epfd, jlong records_address,
                                jint max_events, jint timeout_millis) {
    (void)env; (void)cls;
    return krill_epoll_wait(epfd, KRILL_PTR(struct krill_event *, records_address), max_events,
                            timeout_millis);
}

static jint JNICALL epoll_wait_ring0(JNIEnv *env, jclass cls, jint epfd, jlong ring_address,
                                     jint timeout_millis) {
    (void)env; (void)cls;
    return krill_epoll_wait_ring(epfd, KRILL_PTR(void *, ring_address), timeout_millis);
}

static jint JNICALL eventfd_create0(JNIEnv *env, jclass cls) {
    (void)env; (void)cls;
    return krill_eventfd_create();
}

static jint JNICALL eventfd_write0(JNIEnv *env, jclass cls, jint fd, jlong value) {
    (void)env; (void)cls;
    if (value <= 0) return -EINVAL;
    return krill_eventfd_write(fd, (uint64_t)value);
}

static jlong JNICALL eventfd_read0(JNIEnv *env, jclass cls, jint fd) {
    (void)env; (void)cls;
    return krill_eventfd_read(fd);
}

static const JNINativeMethod methods[] = {
    {"epollCreate", "()I", (void *)epoll_create0},
    {"epollAdd", "(IIIJ)I", (void *)epoll_add0},
    {"epollModify", "(IIIJ)I", (void *)epoll_modify0},
    {"epollDelete", "(II)I", (void *)epoll_delete0},
    {"epollWait", "(IJII)I", (void *)epoll_wait0},
    {"epollWaitRing", "(IJI)I", (void *)epoll_wait_ring0},
    {"eventfdCreate", "()I", (void *)eventfd_create0},
    {"eventfdWrite", "(IJ)I", (void *)eventfd_write0},
    {"eventfdRead", "(I)J", (void *)eventfd_read0},
};

int krill_epoll_register(JNIEnv *env, const char *package) {
    return krill_register_natives(env, package, "EpollNative", methods,
                                  (int)(sizeof(methods) / sizeof(methods[0])));
}

#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int krill_epoll_unavailable_on_this_platform;
#endif
