/*
 * krill_errors.c ↔ ErrorsNative.java: errno values and messages.
 *
 * Errno numbers differ between platforms (EAGAIN is 11 on Linux, 35 on macOS), so Java never
 * hard-codes them: it reads this table once at load and maps -errno results to exceptions in
 * one place (Errors.java).
 */
#include <errno.h>
#include <string.h>

#include "krill.h"

/* Keep in sync with Errno.java: same names, same order. */
const int krill_errno_table[] = {
    EPERM, ENOENT, EINTR, EBADF, EAGAIN, ENOMEM, EACCES, EFAULT, EEXIST, EINVAL,
    ENFILE, EMFILE, ENOSPC, EPIPE, ENOTSOCK, EDESTADDRREQ, EMSGSIZE, ENOPROTOOPT,
    EPROTONOSUPPORT, EOPNOTSUPP, EAFNOSUPPORT, EADDRINUSE, EADDRNOTAVAIL, ENETDOWN,
    ENETUNREACH, ECONNABORTED, ECONNRESET, ENOBUFS, EISCONN, ENOTCONN, ETIMEDOUT,
    ECONNREFUSED, EHOSTUNREACH, EALREADY, EINPROGRESS, EPROTO,
};
/* The declaration in krill.h fixes the size: a table of any other length fails to compile. */
_Static_assert(sizeof(krill_errno_table) / sizeof(krill_errno_table[0]) == KRILL_ERRNO_COUNT,
               "KRILL_ERRNO_COUNT must match the table");

/* Cold path (start-up): allocates the Java array. */
static jintArray JNICALL errno_table0(JNIEnv *env, jclass cls) {
    (void)cls;
    jintArray result = (*env)->NewIntArray(env, KRILL_ERRNO_COUNT);
    if (result != NULL) {
        (*env)->SetIntArrayRegion(env, result, 0, KRILL_ERRNO_COUNT, krill_errno_table);
    }
    return result;
}

/* Cold path (building an exception message). strerror_r's two flavours (GNU returns a char*,
 * XSI fills the buffer) are avoided: strerror on a known errno returns a static string. */
static jstring JNICALL strerror0(JNIEnv *env, jclass cls, jint err) {
    (void)cls;
    return (*env)->NewStringUTF(env, strerror(err));
}

static const JNINativeMethod methods[] = {
    {"errnoTable", "()[I", (void *)errno_table0},
    {"strerror", "(I)Ljava/lang/String;", (void *)strerror0},
};

int krill_errors_register(JNIEnv *env, const char *package) {
    return krill_register_natives(env, package, "ErrorsNative", methods,
                                  (int)(sizeof(methods) / sizeof(methods[0])));
}
