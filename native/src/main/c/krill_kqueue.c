/*
 * krill_kqueue.c ↔ KqueueNative.java: kqueue and EVFILT_USER wake-ups (macOS, BSD).
 *
 * Built and tested only on macOS runners (ci/workflows/macos.yml); on Linux this file compiles
 * to nothing and KqueueNative's natives stay unregistered.
 *
 * kqueue reports one event per (descriptor, filter), so a socket both readable and writable
 * yields two records with the same token; the reactor ORs readiness per token.
 */
#if defined(__APPLE__) || defined(__FreeBSD__)

#include <errno.h>
#include <string.h>
#include <sys/event.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#include "krill.h"

/* struct kevent (32 bytes or more) is wider than krill_event, so events are gathered in a stack
 * batch and converted; a wait returns at most this many (guess; a reactor batch is smaller). */
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

int krill_kqueue_register(int kq, int fd, uint32_t interest, uint64_t token) {
    /* EV_ADD on an existing (ident, filter) modifies it, so register doubles as modify. */
    unsigned short extra = 0;
    if (interest & KRILL_EDGE_TRIGGERED) extra |= EV_CLEAR;
    if (interest & KRILL_ONESHOT) extra |= EV_ONESHOT;
    struct kevent changes[2];
    EV_SET(&changes[0], (uintptr_t)fd, EVFILT_READ,
           (interest & KRILL_READABLE) ? (EV_ADD | EV_ENABLE | extra) : (EV_ADD | EV_DISABLE),
           0, 0, (void *)(uintptr_t)token);
    EV_SET(&changes[1], (uintptr_t)fd, EVFILT_WRITE,
           (interest & KRILL_WRITABLE) ? (EV_ADD | EV_ENABLE | extra) : (EV_ADD | EV_DISABLE),
           0, 0, (void *)(uintptr_t)token);
    return kevent_apply(kq, changes, 2);
}

int krill_kqueue_deregister(int kq, int fd) {
    struct kevent changes[2];
    EV_SET(&changes[0], (uintptr_t)fd, EVFILT_READ, EV_DELETE, 0, 0, NULL);
    EV_SET(&changes[1], (uintptr_t)fd, EVFILT_WRITE, EV_DELETE, 0, 0, NULL);
    int rc = kevent_apply(kq, &changes[0], 1);
    int rc2 = kevent_apply(kq, &changes[1], 1);
    /* A filter never added reports ENOENT; that is not an error for a deregistration. */
    if (rc == -ENOENT) rc = 0;
    if (rc2 == -ENOENT) rc2 = 0;
    return rc != 0 ? rc : rc2;
}

int krill_kqueue_add_user(int kq, uint64_t token) {
    struct kevent change;
    EV_SET(&change, KRILL_USER_IDENT, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0,
           (void *)(uintptr_t)token);
    return kevent_apply(kq, &change, 1);
}

int krill_kqueue_trigger_user(int kq) {
    struct kevent change;
    EV_SET(&change, KRILL_USER_IDENT, EVFILT_USER, 0, NOTE_TRIGGER, 0, NULL);
    return kevent_apply(kq, &change, 1);
}

int krill_kqueue_wait(int kq, struct krill_event *out, int max_events, int timeout_millis) {
    if (max_events <= 0) return -EINVAL;
    struct kevent batch[KRILL_KQUEUE_BATCH];
    int want = max_events < KRILL_KQUEUE_BATCH ? max_events : KRILL_KQUEUE_BATCH;
    struct timespec timeout;
    struct timespec *timeout_or_null = NULL;
    if (timeout_millis >= 0) {
        timeout.tv_sec = timeout_millis / 1000;
        timeout.tv_nsec = (long)(timeout_millis % 1000) * 1000000L;
        timeout_or_null = &timeout;
    }
    int n = kevent(kq, NULL, 0, batch, want, timeout_or_null);
    if (n < 0) return errno == EINTR ? 0 : -errno;
    for (int i = 0; i < n; i++) {
        uint32_t readiness = 0;
        if (batch[i].flags & EV_ERROR) {
            readiness |= KRILL_ERROR;
        } else if (batch[i].filter == EVFILT_READ) {
            readiness |= KRILL_READABLE;
            if (batch[i].flags & EV_EOF) readiness |= KRILL_READ_HANGUP;
        } else if (batch[i].filter == EVFILT_WRITE) {
            readiness |= KRILL_WRITABLE;
            if (batch[i].flags & EV_EOF) readiness |= KRILL_HANGUP;
        } else if (batch[i].filter == EVFILT_USER) {
            readiness |= KRILL_READABLE;
        }
        out[i].token = (uint64_t)(uintptr_t)batch[i].udata;
        out[i].readiness = readiness;
        out[i].result = (batch[i].flags & EV_ERROR) ? -(int32_t)batch[i].data : 0;
    }
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

static jint JNICALL kqueue_trigger_user0(JNIEnv *env, jclass cls, jint kq) {
    (void)env; (void)cls;
    return krill_kqueue_trigger_user(kq);
}

static jint JNICALL kqueue_wait0(JNIEnv *env, jclass cls, jint kq, jlong records_address,
                                 jint max_events, jint timeout_millis) {
    (void)env; (void)cls;
    return krill_kqueue_wait(kq, KRILL_PTR(struct krill_event *, records_address), max_events,
                             timeout_millis);
}

static const JNINativeMethod methods[] = {
    {"kqueueCreate", "()I", (void *)kqueue_create0},
    {"kqueueRegister", "(IIIJ)I", (void *)kqueue_register0},
    {"kqueueDeregister", "(II)I", (void *)kqueue_deregister0},
    {"kqueueAddUser", "(IJ)I", (void *)kqueue_add_user0},
    {"kqueueTriggerUser", "(I)I", (void *)kqueue_trigger_user0},
    {"kqueueWait", "(IJII)I", (void *)kqueue_wait0},
};

int krill_kqueue_register_natives(JNIEnv *env, const char *package) {
    return krill_register_natives(env, package, "KqueueNative", methods,
                                  (int)(sizeof(methods) / sizeof(methods[0])));
}

#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int krill_kqueue_unavailable_on_this_platform;
#endif
