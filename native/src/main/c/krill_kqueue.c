/*
 * krill_kqueue.c ↔ KqueueNative.java: kqueue and EVFILT_USER wake-ups (macOS, BSD).
 *
 * Also built on Linux against libkqueue (-DKRILL_LIBKQUEUE, ci/kqueue-check) so that the shim
 * and the runtime's kqueue path can be exercised here; libkqueue is an emulation over epoll,
 * so macOS (ci/workflows/macos.yml) stays the judge. Elsewhere this file compiles to nothing
 * and KqueueNative's natives stay unregistered.
 *
 * kqueue reports one event per (descriptor, filter), so a socket both readable and writable
 * yields two records with the same token; the reactor ORs readiness per token.
 *
 * Two rules from the kqueue(2) pages of macOS and FreeBSD shape the calls below:
 *  - a kevent that modifies a knote replaces its udata too, so the NOTE_TRIGGER of the wake-up
 *    carries the token again (with udata NULL, the triggered event came back as token 0);
 *  - only the filters in the interest are added: a filter added with EV_DISABLE still shares
 *    the descriptor's registration with its twin, and libkqueue then never reported the write
 *    readiness of a connecting socket. A filter left out of a later registration is deleted.
 */
#include "krill.h"

#if defined(KRILL_HAVE_KQUEUE)

#include <errno.h>
#include <string.h>
#include <sys/event.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

/* struct kevent (32 bytes or more) is wider than krill_event, so events are gathered in a stack
 * batch and converted; a wait returns at most this many (guess: a worker drains its ring after
 * every wait anyway, as with epoll). */
#define KRILL_KQUEUE_BATCH 256

/* The EVFILT_USER identifier Krill uses for its wake-up event. */
#define KRILL_USER_IDENT 0

int krill_kqueue_create(void) {
    int kq = kqueue();
    if (kq < 0) return -errno;
    return kq;
}

static int kevent_apply(int kq, struct kevent *changes, int count) {
    for (;;) {
        if (kevent(kq, changes, count, NULL, 0, NULL) == 0) return 0;
        if (errno != EINTR) return -errno;
    }
}

/* Adds (or modifies) one filter, or deletes it; a delete of a filter never added is no error. */
static int apply_filter(int kq, int fd, short filter, int wanted, unsigned short extra, uint64_t token) {
    struct kevent change;
    if (wanted) {
        EV_SET(&change, (uintptr_t)fd, filter, EV_ADD | EV_ENABLE | extra, 0, 0, (void *)(uintptr_t)token);
        return kevent_apply(kq, &change, 1);
    }
    EV_SET(&change, (uintptr_t)fd, filter, EV_DELETE, 0, 0, NULL);
    int rc = kevent_apply(kq, &change, 1);
    return rc == -ENOENT ? 0 : rc;
}

int krill_kqueue_register(int kq, int fd, uint32_t interest, uint64_t token) {
    if (fd < 0) return -EBADF;
    if ((interest & (KRILL_READABLE | KRILL_WRITABLE)) == 0) return -EINVAL;
    unsigned short extra = 0;
    if (interest & KRILL_EDGE_TRIGGERED) extra |= EV_CLEAR;
    if (interest & KRILL_ONESHOT) extra |= EV_ONESHOT;
    int rc = apply_filter(kq, fd, EVFILT_READ, (interest & KRILL_READABLE) != 0, extra, token);
    if (rc != 0) return rc;
    rc = apply_filter(kq, fd, EVFILT_WRITE, (interest & KRILL_WRITABLE) != 0, extra, token);
    if (rc != 0 && (interest & KRILL_READABLE)) {
        apply_filter(kq, fd, EVFILT_READ, 0, 0, 0); /* all or nothing: undo the read filter */
    }
    return rc;
}

int krill_kqueue_deregister(int kq, int fd) {
    int rc = apply_filter(kq, fd, EVFILT_READ, 0, 0, 0);
    int rc2 = apply_filter(kq, fd, EVFILT_WRITE, 0, 0, 0);
    return rc != 0 ? rc : rc2;
}

int krill_kqueue_add_user(int kq, uint64_t token) {
    struct kevent change;
    EV_SET(&change, KRILL_USER_IDENT, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, (void *)(uintptr_t)token);
    return kevent_apply(kq, &change, 1);
}

int krill_kqueue_trigger_user(int kq, uint64_t token) {
    struct kevent change;
    EV_SET(&change, KRILL_USER_IDENT, EVFILT_USER, 0, NOTE_TRIGGER, 0, (void *)(uintptr_t)token);
    return kevent_apply(kq, &change, 1);
}

static void to_record(const struct kevent *ev, struct krill_event *record) {
    uint32_t readiness = 0;
    int32_t result = 0;
    if (ev->flags & EV_ERROR) {
        readiness |= KRILL_ERROR;
        result = -(int32_t)ev->data;
    } else if (ev->filter == EVFILT_READ) {
        readiness |= KRILL_READABLE;
        if (ev->flags & EV_EOF) readiness |= KRILL_READ_HANGUP;
    } else if (ev->filter == EVFILT_WRITE) {
        readiness |= KRILL_WRITABLE;
        if (ev->flags & EV_EOF) readiness |= KRILL_HANGUP;
    } else if (ev->filter == EVFILT_USER) {
        readiness |= KRILL_READABLE;
    }
    /* EV_EOF with a socket error in fflags (a reset, a refused connect): epoll says EPOLLERR,
     * and the record carries the error. libkqueue reads that error with getsockopt(SO_ERROR),
     * which clears it, so there a later read or finish-connect no longer sees it; the kernel's
     * kqueue on macOS and FreeBSD leaves it in place. */
    if ((ev->flags & EV_EOF) && ev->fflags != 0 && ev->filter != EVFILT_USER) {
        readiness |= KRILL_ERROR;
        result = -(int32_t)ev->fflags;
    }
    record->token = (uint64_t)(uintptr_t)ev->udata;
    record->readiness = readiness;
    record->result = result;
}

static int wait_into(int kq, struct kevent *batch, int want, int timeout_millis) {
    struct timespec timeout;
    struct timespec *timeout_or_null = NULL;
    if (timeout_millis >= 0) {
        timeout.tv_sec = timeout_millis / 1000;
        timeout.tv_nsec = (long)(timeout_millis % 1000) * 1000000L;
        timeout_or_null = &timeout;
    }
    int n = kevent(kq, NULL, 0, batch, want, timeout_or_null);
    /* A signal cut the wait short: an empty batch, as krill_epoll_wait does. */
    if (n < 0) return errno == EINTR ? 0 : -errno;
    return n;
}

int krill_kqueue_wait(int kq, struct krill_event *out, int max_events, int timeout_millis) {
    if (max_events <= 0) return -EINVAL;
    struct kevent batch[KRILL_KQUEUE_BATCH];
    int n = wait_into(kq, batch, max_events < KRILL_KQUEUE_BATCH ? max_events : KRILL_KQUEUE_BATCH,
                      timeout_millis);
    for (int i = 0; i < n; i++) to_record(&batch[i], &out[i]);
    return n;
}

/* As krill_epoll_wait_ring: at most as many events as the ring has room for, appended and
 * published with one release store of tail (krill_ring.c has the orderings). */
int krill_kqueue_wait_ring(int kq, void *ring, int timeout_millis) {
    struct krill_ring_view r = krill_ring_view_of(ring);
    uint64_t tail;
    int max = krill_ring_room(r, &tail, KRILL_KQUEUE_BATCH);
    if (max == 0) return -ENOBUFS; /* the consumer must drain first; never drop an event */
    struct kevent batch[KRILL_KQUEUE_BATCH];
    int n = wait_into(kq, batch, max, timeout_millis);
    for (int i = 0; i < n; i++) {
        to_record(&batch[i], &r.records[(tail + (uint64_t)i) & (r.capacity - 1)]);
    }
    if (n > 0) __atomic_store_n(r.tail, tail + (uint64_t)n, __ATOMIC_RELEASE); /* pairs with drain's acquire */
    return n;
}

/* ---- JNI wrappers ---------------------------------------------------------------------- */

static jint JNICALL kqueue_create0(JNIEnv *env, jclass cls) {
    (void)env; (void)cls;
    return krill_kqueue_create();
}

static jint JNICALL kqueue_register0(JNIEnv *env, jclass cls, jint kq, jint fd, jint interest,
                                     jlong token) {
    (void)env; (void)cls;
    return krill_kqueue_register(kq, fd, (uint32_t)interest, (uint64_t)token);
}

static jint JNICALL kqueue_deregister0(JNIEnv *env, jclass cls, jint kq, jint fd) {
    (void)env; (void)cls;
    return krill_kqueue_deregister(kq, fd);
}

static jint JNICALL kqueue_add_user0(JNIEnv *env, jclass cls, jint kq, jlong token) {
    (void)env; (void)cls;
    return krill_kqueue_add_user(kq, (uint64_t)token);
}

static jint JNICALL kqueue_trigger_user0(JNIEnv *env, jclass cls, jint kq, jlong token) {
    (void)env; (void)cls;
    return krill_kqueue_trigger_user(kq, (uint64_t)token);
}

static jint JNICALL kqueue_wait0(JNIEnv *env, jclass cls, jint kq, jlong records_address,
                                 jint max_events, jint timeout_millis) {
    (void)env; (void)cls;
    return krill_kqueue_wait(kq, KRILL_PTR(struct krill_event *, records_address), max_events,
                             timeout_millis);
}

static jint JNICALL kqueue_wait_ring0(JNIEnv *env, jclass cls, jint kq, jlong ring_address,
                                      jint timeout_millis) {
    (void)env; (void)cls;
    return krill_kqueue_wait_ring(kq, KRILL_PTR(void *, ring_address), timeout_millis);
}

static const JNINativeMethod methods[] = {
    {"kqueueCreate", "()I", (void *)kqueue_create0},
    {"kqueueRegister", "(IIIJ)I", (void *)kqueue_register0},
    {"kqueueDeregister", "(II)I", (void *)kqueue_deregister0},
    {"kqueueAddUser", "(IJ)I", (void *)kqueue_add_user0},
    {"kqueueTriggerUser", "(IJ)I", (void *)kqueue_trigger_user0},
    {"kqueueWait", "(IJII)I", (void *)kqueue_wait0},
    {"kqueueWaitRing", "(IJI)I", (void *)kqueue_wait_ring0},
};

int krill_kqueue_register_natives(JNIEnv *env, const char *package) {
    return krill_register_natives(env, package, "KqueueNative", methods,
                                  (int)(sizeof(methods) / sizeof(methods[0])));
}

#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int krill_kqueue_unavailable_on_this_platform;
#endif
