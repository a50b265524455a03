/*
 * A test-only JNI library (built by `make shim`, never shipped): starts a C producer thread that
 * writes events into a ring Java allocated, so RingShimTest can race it against SpscRing.drain.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "krill.h"

/* krill_ring.c's registration needs this symbol; the shim registers its own class instead
 * (test-only and never shaded, so its class name may be fixed). */
int krill_register_natives(JNIEnv *env, const char *package, const char *simple_name,
                           const JNINativeMethod *methods, int count) {
    char class_name[128];
    int length = snprintf(class_name, sizeof(class_name), "%s/%s", package, simple_name);
    if (length < 0 || (size_t)length >= sizeof(class_name)) return JNI_ERR;
    jclass cls = (*env)->FindClass(env, class_name);
    if (cls == NULL) return JNI_ERR;
    jint rc = (*env)->RegisterNatives(env, cls, methods, count);
    (*env)->DeleteLocalRef(env, cls);
    return rc == 0 ? 0 : JNI_ERR;
}

struct producer {
    pthread_t thread;
    void *ring;
    uint64_t count;
};

/* Spins before a full ring makes the producer yield its core: when it shares one with the Java
 * consumer (a loaded 2-core machine), a pure spin hands over only at the end of a time slice.
 * Guess, as krill_test.c:RING_SPINS_BEFORE_YIELD. */
enum { SPINS_BEFORE_YIELD = 64 };

static void *produce(void *arg) {
    struct producer *p = arg;
    uint64_t next = 0;
    int misses = 0;
    while (next < p->count) {
        struct krill_event batch[3];
        int want = 0;
        for (; want < 3 && next + (uint64_t)want < p->count; want++) {
            uint64_t token = next + (uint64_t)want;
            batch[want].token = token;
            batch[want].readiness = (uint32_t)(token & 0x1f);
            batch[want].result = -(int32_t)(token & 7);
        }
        int n = krill_ring_offer(p->ring, batch, want); /* full: retry the rest */
        next += (uint64_t)n;
        if (n != 0) {
            misses = 0;
        } else if (++misses >= SPINS_BEFORE_YIELD) {
            misses = 0;
            sched_yield();
        }
    }
    return NULL;
}

static jlong JNICALL start0(JNIEnv *env, jclass cls, jlong ring, jlong count) {
    (void)env; (void)cls;
    struct producer *p = malloc(sizeof(*p));
    if (p == NULL) return 0;
    p->ring = KRILL_PTR(void *, ring);
    p->count = (uint64_t)count;
    if (pthread_create(&p->thread, NULL, produce, p) != 0) {
        free(p);
        return 0;
    }
    return (jlong)(uintptr_t)p;
}

static jint JNICALL join0(JNIEnv *env, jclass cls, jlong handle) {
    (void)env; (void)cls;
    struct producer *p = KRILL_PTR(struct producer *, handle);
    int rc = pthread_join(p->thread, NULL);
    free(p);
    return rc;
}

static const JNINativeMethod methods[] = {
    {"startProducer", "(JJ)J", (void *)start0},
    {"joinProducer", "(J)I", (void *)join0},
};

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
    (void)reserved;
    JNIEnv *env;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK) return JNI_ERR;
    if (krill_register_natives(env, "io/krill/internal/ring", "RingShim", methods, 2) != 0) return JNI_ERR;
    return JNI_VERSION_1_8;
}
