/**
 * The JNI boundary: loading libkrill, checking its ABI, and the natives it registers.
 *
 * <p>Each {@code XxxNative} class mirrors one C file ({@code krill_xxx.c}) and holds only
 * {@code static native} methods. Hot natives take primitives (descriptors, off-heap addresses,
 * lengths) and return a count or {@code -errno}; they never allocate and never throw. Java turns
 * a negative result into an exception in one place, {@link io.krill.internal.jni.Errors}.
 *
 * <p>Natives are registered by {@code JNI_OnLoad}, so nothing here may be called before
 * {@link io.krill.internal.jni.NativeLibrary#load()} has returned.
 *
 * <p>Records shared with C (event records, socket addresses, iovecs) are laid out by one
 * {@code …Descriptor} class each; their sizes and offsets, and every shared constant, are
 * compared with the library's own at load ({@link io.krill.internal.jni.AbiLayout}).
 */
package io.krill.internal.jni;
