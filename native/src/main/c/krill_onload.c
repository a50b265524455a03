/*
 * krill_onload.c ↔ OnLoadNative.java: JNI_OnLoad, native registration and the ABI layout.
 *
 * JNI_OnLoad registers every native from tables (RegisterNatives), so the library exports no
 * mangled Java_* names; with -fvisibility=hidden, JNI_OnLoad is its only exported symbol.
 */
#include <stddef.h>
#include <sys/uio.h>

#include "krill.h"

#if defined(__linux__)
#define KRILL_POLLER_ID 1 /* epoll */
#elif defined(__APPLE__) || defined(__FreeBSD__)
#define KRILL_POLLER_ID 2 /* kqueue */
#else
#error "Krill's native library supports Linux (epoll) and macOS/BSD (kqueue) only"
#endif

/* Keep in sync with AbiLayout.java:Field: same entries, same order. Java compares each entry
 * with its own idea of the layout at load and refuses to start on any difference. */
const int krill_abi_layout[] = {
    KRILL_ABI_VERSION,
    KRILL_POLLER_ID,
    (int)sizeof(void *),
    (int)sizeof(struct krill_event),
    (int)offsetof(struct krill_event, token),
    (int)offsetof(struct krill_event, readiness),
    (int)offsetof(struct krill_event, result),
    (int)sizeof(struct krill_sockaddr),
    (int)offsetof(struct krill_sockaddr, family),
    (int)offsetof(struct krill_sockaddr, port),
    (int)offsetof(struct krill_sockaddr, scope_id),
    (int)offsetof(struct krill_sockaddr, flowinfo),
    (int)offsetof(struct krill_sockaddr, addr),
    (int)sizeof(struct iovec),
    (int)offsetof(struct iovec, iov_base),
    (int)offsetof(struct iovec, iov_len),
    (int)KRILL_READABLE,
    (int)KRILL_WRITABLE,
    (int)KRILL_ERROR,
    (int)KRILL_HANGUP,
    (int)KRILL_READ_HANGUP,
    (int)KRILL_EDGE_TRIGGERED,
    (int)KRILL_ONESHOT,
    KRILL_SOCK_STREAM,
    KRILL_SOCK_DGRAM,
    KRILL_SHUT_READ,
    KRILL_SHUT_WRITE,
    KRILL_SHUT_BOTH,
    KRILL_SOCKOPT_COUNT,
    KRILL_ERRNO_COUNT,
    KRILL_RING_TAIL_OFFSET,
    KRILL_RING_HEAD_OFFSET,
    KRILL_RING_CAPACITY_OFFSET,
    KRILL_RING_RECORDS_OFFSET,
};
const int krill_abi_layout_count = (int)(sizeof(krill_abi_layout) / sizeof(krill_abi_layout[0]));

int krill_register_natives(JNIEnv *env, const char *class_name, const JNINativeMethod *methods,
                           int count) {
    jclass cls = (*env)->FindClass(env, class_name);
    if (cls == NULL) return JNI_ERR; /* NoClassDefFoundError is pending; the JVM reports it. */
    jint rc = (*env)->RegisterNatives(env, cls, methods, count);
    (*env)->DeleteLocalRef(env, cls);
    return rc == 0 ? 0 : JNI_ERR;
}

/* Cold path (start-up): allocates the Java array. */
static jintArray JNICALL abi_layout0(JNIEnv *env, jclass cls) {
    (void)cls;
    jintArray result = (*env)->NewIntArray(env, krill_abi_layout_count);
    if (result != NULL) {
        (*env)->SetIntArrayRegion(env, result, 0, krill_abi_layout_count, krill_abi_layout);
    }
    return result;
}

/* A call that does nothing: measures the bare cost of a crossing (NativeCallBenchmark). */
static jint JNICALL noop0(JNIEnv *env, jclass cls, jint value) {
    (void)env; (void)cls;
    return value;
}

static const JNINativeMethod methods[] = {
    {"abiLayout", "()[I", (void *)abi_layout0},
    {"noop", "(I)I", (void *)noop0},
};

int krill_onload_register(JNIEnv *env) {
    return krill_register_natives(env, "io/krill/internal/jni/OnLoadNative", methods,
                                  (int)(sizeof(methods) / sizeof(methods[0])));
}

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
    (void)reserved;
    JNIEnv *env;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK) return JNI_ERR;
    if (krill_onload_register(env) != 0) return JNI_ERR;
    if (krill_errors_register(env) != 0) return JNI_ERR;
    if (krill_socket_register(env) != 0) return JNI_ERR;
    if (krill_ring_register(env) != 0) return JNI_ERR;
#if defined(__linux__)
    if (krill_epoll_register(env) != 0) return JNI_ERR;
#else
    if (krill_kqueue_register_natives(env) != 0) return JNI_ERR;
#endif
    return JNI_VERSION_1_8;
}
