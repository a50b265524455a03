/*
 * krill_onload.c ↔ OnLoadNative.java: JNI_OnLoad, native registration and the ABI layout.
 *
 * JNI_OnLoad registers every native from tables (RegisterNatives), so the library exports no
 * mangled Java_* names; with -fvisibility=hidden, JNI_OnLoad is its only exported symbol.
 *
 * The library names no Java package. A user may relocate Krill's packages with a shading tool
 * (maven-shade-plugin rewrites class names in class files, never in a .so), so the classes
 * whose natives are registered here are found relative to the class that loads the library:
 * NativeLibraryLoader, which sits in the same package as every *Native class. JNI_OnLoad runs
 * on the thread that called System.load, and FindClass there uses that caller's class loader
 * (JNI spec, FindClass), so the innermost NativeLibraryLoader frame on this thread's stack
 * names the package, and FindClass finds the very classes of that copy of Krill.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>

#include "krill.h"

/* The pollers built in, as bits: epoll 1, kqueue 2 (Platform.java). A Linux library built
 * against libkqueue for a local check (ci/kqueue-check) has both: 3. */
#if defined(__linux__) && defined(KRILL_HAVE_KQUEUE)
#define KRILL_POLLER_ID 3
#elif defined(__linux__)
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
    (int)sizeof(struct krill_io_op),
    (int)offsetof(struct krill_io_op, address),
    (int)offsetof(struct krill_io_op, fd),
    (int)offsetof(struct krill_io_op, length),
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

/* Longest package name (internal form) libkrill accepts; a longer relocation is refused with
 * a message, not truncated. Guess: far above any real shading prefix. */
#define KRILL_PACKAGE_MAX 512
/* The simple name of the class that must call System.load; keep in sync with
 * NativeLibraryLoader.java. */
#define KRILL_LOADER_CLASS "NativeLibraryLoader"

static void throw_link_error(JNIEnv *env, const char *message) {
    if ((*env)->ExceptionCheck(env)) return; /* the first cause is the one to report */
    jclass error = (*env)->FindClass(env, "java/lang/UnsatisfiedLinkError");
    if (error != NULL) (*env)->ThrowNew(env, error, message);
}

int krill_register_natives(JNIEnv *env, const char *package, const char *simple_name,
                           const JNINativeMethod *methods, int count) {
    char class_name[KRILL_PACKAGE_MAX + 64];
    int length = snprintf(class_name, sizeof(class_name), "%s/%s", package, simple_name);
    if (length < 0 || (size_t)length >= sizeof(class_name)) {
        throw_link_error(env, "libkrill: class name too long");
        return JNI_ERR;
    }
    jclass cls = (*env)->FindClass(env, class_name);
    if (cls == NULL) return JNI_ERR; /* NoClassDefFoundError is pending; the JVM reports it. */
    jint rc = (*env)->RegisterNatives(env, cls, methods, count);
    (*env)->DeleteLocalRef(env, cls);
    return rc == 0 ? 0 : JNI_ERR;
}

int krill_loader_package(const char *binary_name, char *out, size_t size) {
    const char *dot = strrchr(binary_name, '.');
    if (dot == NULL || strcmp(dot + 1, KRILL_LOADER_CLASS) != 0) return 0;
    size_t length = (size_t)(dot - binary_name);
    if (length >= size) return -1;
    for (size_t i = 0; i < length; i++) {
        out[i] = binary_name[i] == '.' ? '/' : binary_name[i];
    }
    out[length] = '\0';
    return 1;
}

/* Cold path (once per load). Walks Thread.currentThread().getStackTrace() from the innermost
 * frame to the first NativeLibraryLoader and writes its package to `out`. Returns 0, or
 * JNI_ERR with an exception pending. Each frame's local references are dropped before the
 * next, so the walk stays within the 16 local references JNI guarantees. */
static int krill_caller_package(JNIEnv *env, char *out, size_t size) {
    jclass thread_class = (*env)->FindClass(env, "java/lang/Thread");
    if (thread_class == NULL) return JNI_ERR;
    jmethodID current = (*env)->GetStaticMethodID(env, thread_class, "currentThread", "()Ljava/lang/Thread;");
    if (current == NULL) return JNI_ERR;
    jmethodID stack_trace =
            (*env)->GetMethodID(env, thread_class, "getStackTrace", "()[Ljava/lang/StackTraceElement;");
    if (stack_trace == NULL) return JNI_ERR;
    jclass element_class = (*env)->FindClass(env, "java/lang/StackTraceElement");
    if (element_class == NULL) return JNI_ERR;
    jmethodID class_name_of = (*env)->GetMethodID(env, element_class, "getClassName", "()Ljava/lang/String;");
    if (class_name_of == NULL) return JNI_ERR;
    /* A Call* may return a value and still leave an exception: ExceptionCheck after each
     * (-Xcheck:jni insists, rightly). */
    jobject thread = (*env)->CallStaticObjectMethod(env, thread_class, current);
    if ((*env)->ExceptionCheck(env) || thread == NULL) return JNI_ERR;
    jobjectArray frames = (jobjectArray)(*env)->CallObjectMethod(env, thread, stack_trace);
    if ((*env)->ExceptionCheck(env) || frames == NULL) return JNI_ERR;
    jsize count = (*env)->GetArrayLength(env, frames);
    int found = 0;
    for (jsize i = 0; i < count && found == 0; i++) {
        jobject frame = (*env)->GetObjectArrayElement(env, frames, i);
        if ((*env)->ExceptionCheck(env) || frame == NULL) return JNI_ERR;
        jstring name = (jstring)(*env)->CallObjectMethod(env, frame, class_name_of);
        if ((*env)->ExceptionCheck(env) || name == NULL) return JNI_ERR;
        (*env)->DeleteLocalRef(env, frame);
        const char *chars = (*env)->GetStringUTFChars(env, name, NULL);
        if (chars == NULL) return JNI_ERR;
        found = krill_loader_package(chars, out, size);
        (*env)->ReleaseStringUTFChars(env, name, chars);
        (*env)->DeleteLocalRef(env, name);
    }
    (*env)->DeleteLocalRef(env, frames);
    (*env)->DeleteLocalRef(env, thread);
    (*env)->DeleteLocalRef(env, element_class);
    (*env)->DeleteLocalRef(env, thread_class);
    if (found == 1) return 0;
    throw_link_error(env, found < 0
            ? "libkrill: the package of " KRILL_LOADER_CLASS " is too long for libkrill"
            : "libkrill must be loaded by Krill's " KRILL_LOADER_CLASS " (in io.krill.internal.jni,"
              " or wherever it was relocated), whose package names the classes libkrill binds;"
              " no such class is on the stack of the thread calling System.load. Let Krill load"
              " its library (NativeLibrary.load()) rather than calling System.load yourself.");
    return JNI_ERR;
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

int krill_onload_register(JNIEnv *env, const char *package) {
    return krill_register_natives(env, package, "OnLoadNative", methods,
                                  (int)(sizeof(methods) / sizeof(methods[0])));
}

/* A failure leaves an exception pending; the JDK then unloads the library and rethrows that
 * exception from System.load, so its message reaches NativeLibraryLoader. */
JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
    (void)reserved;
    JNIEnv *env;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK) return JNI_ERR;
    char package[KRILL_PACKAGE_MAX];
    if (krill_caller_package(env, package, sizeof(package)) != 0) return JNI_ERR;
    if (krill_onload_register(env, package) != 0) return JNI_ERR;
    if (krill_errors_register(env, package) != 0) return JNI_ERR;
    if (krill_socket_register(env, package) != 0) return JNI_ERR;
    if (krill_ring_register(env, package) != 0) return JNI_ERR;
#if defined(__linux__)
    if (krill_epoll_register(env, package) != 0) return JNI_ERR;
#endif
#if defined(KRILL_HAVE_KQUEUE)
    if (krill_kqueue_register_natives(env, package) != 0) return JNI_ERR;
#endif
    return JNI_VERSION_1_8;
}
