package io.krill.internal.reactor;

/**
 * How a test builds a runtime on another {@link NativeIo} (one that injects faults) without a
 * public builder option: {@code Runtime.Builder} would otherwise name an internal type, and this
 * package is not exported, so code outside Krill cannot reach it. The override is scoped to the
 * {@code build()} it wraps (a {@link ScopedValue}): tests running side by side do not see each
 * other's, and nothing is left set when the build throws.
 */
public final class NativeIoOverride {

    private static final ScopedValue<NativeIo> IO = ScopedValue.newInstance();

    private NativeIoOverride() {}

    /** Runs {@code build} (which builds a runtime) so that the runtime's reactor calls {@code io}. */
    public static <T, X extends Throwable> T with(NativeIo io, ScopedValue.CallableOp<T, X> build) throws X {
        return ScopedValue.where(IO, java.util.Objects.requireNonNull(io, "io")).call(build);
    }

    /** The override in scope, else {@code selected} (the backend this JVM chose). */
    public static NativeIo currentOr(java.util.function.Supplier<NativeIo> selected) {
        return IO.isBound() ? IO.get() : selected.get();
    }

    /** True while a build runs inside {@link #with}. */
    public static boolean isBound() {
        return IO.isBound();
    }
}
