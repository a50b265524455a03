package io.krill.internal.jni;

/**
 * Readiness bits in event records, and the interest bits and flags of a registration.
 * Keep in sync with {@code krill.h} (KRILL_READABLE …); checked at load by {@link AbiLayout}.
 */
public final class Readiness {

    private Readiness() {}

    public static final int READABLE = 0x01;
    public static final int WRITABLE = 0x02;
    public static final int ERROR = 0x04;
    public static final int HANGUP = 0x08;
    public static final int READ_HANGUP = 0x10;

    /** Registration flag: report edges (EPOLLET / EV_CLEAR), not levels. */
    public static final int EDGE_TRIGGERED = 0x100;
    /** Registration flag: disarm after one event (EPOLLONESHOT / EV_ONESHOT). */
    public static final int ONESHOT = 0x200;
}
