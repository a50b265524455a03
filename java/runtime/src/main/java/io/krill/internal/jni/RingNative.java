package io.krill.internal.jni;

/** Natives of {@code krill_ring.c}: the C side of an SPSC ring (cold; for tests and tools). */
public final class RingNative {

    private RingNative() {}

    /** Copies up to {@code count} event records from {@code eventsAddress} into the ring. */
    public static native int offer(long ringAddress, long eventsAddress, int count);

    /** Moves up to {@code max} event records from the ring to {@code outAddress}. */
    public static native int poll(long ringAddress, long outAddress, int max);
}
