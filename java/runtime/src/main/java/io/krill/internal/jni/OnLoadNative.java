package io.krill.internal.jni;

/** Natives of {@code krill_onload.c}: the library's ABI layout, and a no-op crossing. */
final class OnLoadNative {

    private OnLoadNative() {}

    /** The library's layout table, in {@link AbiLayout.Field} order (cold: allocates). */
    static native int[] abiLayout();

    /** Returns its argument: the bare cost of one crossing, for benchmarks and self-checks. */
    static native int noop(int value);
}
