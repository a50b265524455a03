package io.krill.benchmarks;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * C library functions as FFM downcalls (java.lang.foreign), plain and with
 * {@code Linker.Option.critical(false)} (no thread-state transition: only for calls that do not
 * block, as a trivial function does), for the backend benchmarks: what a backend without a
 * platform jar and without JNA would pay per crossing.
 */
final class Ffm {

    private Ffm() {}

    private static final Linker LINKER = Linker.nativeLinker();

    @SuppressWarnings("restricted") // a downcall is restricted (JEP 472): the benchmarks run with --enable-native-access
    static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("the C library has no " + name)), descriptor, options);
    }

    /** {@code int abs(int)}: a crossing that does nothing worth measuring. */
    static final FunctionDescriptor INT_INT = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
    /** {@code int epoll_wait(int, struct epoll_event *, int, int)}. */
    static final FunctionDescriptor EPOLL_WAIT = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
    /** {@code ssize_t read(int, void *, size_t)}. */
    static final FunctionDescriptor READ = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG);
    /** {@code ssize_t send(int, const void *, size_t, int)}. */
    static final FunctionDescriptor SEND = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT);
}
