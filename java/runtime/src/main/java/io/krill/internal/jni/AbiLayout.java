package io.krill.internal.jni;

import io.krill.internal.ring.EventRecordDescriptor;
import java.lang.foreign.ValueLayout;

/**
 * What Java believes about libkrill's records and constants, compared at load with what the
 * library reports ({@code krill_onload.c:krill_abi_layout}). A library from another build
 * cannot corrupt memory through a shifted offset: the runtime refuses to start instead.
 */
public final class AbiLayout {

    private AbiLayout() {}

    /** Keep in sync with krill.h:KRILL_ABI_VERSION. */
    public static final int ABI_VERSION = 5;

    /** One entry of the layout table; keep names and order in sync with krill_onload.c. */
    enum Field {
        ABI_VERSION(AbiLayout.ABI_VERSION),
        POLLER(-1), // platform-dependent, see expected(Platform)
        POINTER_SIZE((int) ValueLayout.ADDRESS.byteSize()),
        EVENT_SIZE(EventRecordDescriptor.SIZE_BYTES),
        EVENT_TOKEN_OFFSET(EventRecordDescriptor.TOKEN_OFFSET),
        EVENT_READINESS_OFFSET(EventRecordDescriptor.READINESS_OFFSET),
        EVENT_RESULT_OFFSET(EventRecordDescriptor.RESULT_OFFSET),
        SOCKADDR_SIZE(SockaddrDescriptor.SIZE_BYTES),
        SOCKADDR_FAMILY_OFFSET(SockaddrDescriptor.FAMILY_OFFSET),
        SOCKADDR_PORT_OFFSET(SockaddrDescriptor.PORT_OFFSET),
        SOCKADDR_SCOPE_ID_OFFSET(SockaddrDescriptor.SCOPE_ID_OFFSET),
        SOCKADDR_FLOWINFO_OFFSET(SockaddrDescriptor.FLOWINFO_OFFSET),
        SOCKADDR_ADDRESS_OFFSET(SockaddrDescriptor.ADDRESS_OFFSET),
        IOVEC_SIZE(IovecDescriptor.SIZE_BYTES),
        IOVEC_BASE_OFFSET(IovecDescriptor.BASE_OFFSET),
        IOVEC_LENGTH_OFFSET(IovecDescriptor.LENGTH_OFFSET),
        IO_OP_SIZE(IoOpDescriptor.SIZE_BYTES),
        IO_OP_ADDRESS_OFFSET(IoOpDescriptor.ADDRESS_OFFSET),
        IO_OP_FD_OFFSET(IoOpDescriptor.FD_OFFSET),
        IO_OP_LENGTH_OFFSET(IoOpDescriptor.LENGTH_OFFSET),
        READABLE(Readiness.READABLE),
        WRITABLE(Readiness.WRITABLE),
        ERROR(Readiness.ERROR),
        HANGUP(Readiness.HANGUP),
        READ_HANGUP(Readiness.READ_HANGUP),
        EDGE_TRIGGERED(Readiness.EDGE_TRIGGERED),
        ONESHOT(Readiness.ONESHOT),
        SOCK_STREAM(SocketNative.STREAM),
        SOCK_DGRAM(SocketNative.DGRAM),
        SHUT_READ(SocketNative.SHUT_READ),
        SHUT_WRITE(SocketNative.SHUT_WRITE),
        SHUT_BOTH(SocketNative.SHUT_BOTH),
        SOCKOPT_COUNT(SocketOption.values().length),
        ERRNO_COUNT(Errno.values().length),
        RING_TAIL_OFFSET(io.krill.internal.ring.RingDescriptor.TAIL_OFFSET),
        RING_HEAD_OFFSET(io.krill.internal.ring.RingDescriptor.HEAD_OFFSET),
        RING_CAPACITY_OFFSET(io.krill.internal.ring.RingDescriptor.CAPACITY_OFFSET),
        RING_RECORDS_OFFSET(io.krill.internal.ring.RingDescriptor.RECORDS_OFFSET);

        private final int expected;

        Field(int expected) {
            this.expected = expected;
        }

        int expected(Platform platform) {
            return this == POLLER ? platform.pollerId() : expected;
        }
    }

    /** Java's view of the table for {@code platform}, in {@link Field} order. */
    static int[] expected(Platform platform) {
        Field[] fields = Field.values();
        int[] table = new int[fields.length];
        for (Field field : fields) {
            table[field.ordinal()] = field.expected(platform);
        }
        return table;
    }

    /**
     * Compares the library's table with Java's.
     *
     * @param source where the library came from, for the message
     * @throws UnsatisfiedLinkError naming every field that differs and what to do
     */
    static void verify(int[] actual, Platform platform, String source) {
        int[] expected = expected(platform);
        StringBuilder differences = new StringBuilder();
        if (actual.length != expected.length) {
            differences.append(" the library reports ").append(actual.length).append(" layout entries, Java expects ")
                    .append(expected.length).append(';');
        }
        Field[] fields = Field.values();
        for (int i = 0; i < Math.min(actual.length, expected.length); i++) {
            // POLLER is a mask of the pollers built in: it must hold this platform's (a Linux
            // library built against libkqueue by ci/kqueue-check holds epoll and kqueue).
            boolean same = fields[i] == Field.POLLER ? (actual[i] & expected[i]) == expected[i] : actual[i] == expected[i];
            if (!same) {
                differences.append(' ').append(fields[i]).append(" is ").append(actual[i])
                        .append(" in the library, ").append(expected[i]).append(" in Java;");
            }
        }
        if (!differences.isEmpty()) {
            int libraryAbi = actual.length > 0 ? actual[0] : -1;
            throw new UnsatisfiedLinkError("libkrill (" + source + ", ABI " + libraryAbi
                    + ") does not match krill-runtime (ABI " + ABI_VERSION + "):" + differences
                    + " use the krill-native " + platform.classifier()
                    + " jar of the same version as krill-runtime, or rebuild both with ci/test.");
        }
    }
}
