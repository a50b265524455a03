package io.krill.internal.jni;

/** Natives of {@code krill_errors.c}: errno numbers and messages of this platform. */
final class ErrorsNative {

    private ErrorsNative() {}

    /** This platform's value of each {@link Errno}, in declaration order (cold: allocates). */
    static native int[] errnoTable();

    /** The C library's message for an errno (cold: allocates). */
    static native String strerror(int errno);
}
