package io.krill.internal.jni;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Layout of Krill's socket address record, written by Java for bind/connect and by C for
 * accept/getsockname/getpeername. The only class that knows its offsets; keep in sync with
 * {@code krill.h:struct krill_sockaddr} (checked at load).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |               family: 4 (IPv4) or 6 (IPv6)                    |  0
 *  +---------------------------------------------------------------+
 *  |               port (host byte order, 0..65535)                |  4
 *  +---------------------------------------------------------------+
 *  |               IPv6 scope id                                   |  8
 *  +---------------------------------------------------------------+
 *  |               IPv6 flow info (host byte order)                | 12
 *  +---------------------------------------------------------------+
 *  |               address: 4 bytes (IPv4) or 16 bytes (IPv6),     | 16
 *  |               network byte order                              |
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class SockaddrDescriptor {

    private SockaddrDescriptor() {}

    public static final int FAMILY_OFFSET = 0;
    public static final int PORT_OFFSET = 4;
    public static final int SCOPE_ID_OFFSET = 8;
    public static final int FLOWINFO_OFFSET = 12;
    public static final int ADDRESS_OFFSET = 16;
    public static final int SIZE_BYTES = 32;

    public static final int FAMILY_IPV4 = 4;
    public static final int FAMILY_IPV6 = 6;

    private static final int MAX_PORT = 65535;

    /** The family a socket for {@code address} needs: {@link #FAMILY_IPV4} or {@link #FAMILY_IPV6}. */
    public static int familyOf(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address ? FAMILY_IPV6 : FAMILY_IPV4;
    }

    /**
     * Writes {@code address} into the record at the start of {@code record}.
     *
     * @throws IllegalArgumentException when the address is unresolved or {@code record} is shorter than {@link #SIZE_BYTES}
     */
    public static void write(MemorySegment record, InetSocketAddress address) {
        checkLength(record);
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("address " + address + " is unresolved: resolve it first");
        }
        record.asSlice(0, SIZE_BYTES).fill((byte) 0);
        byte[] bytes = ip.getAddress();
        record.set(ValueLayout.JAVA_INT, FAMILY_OFFSET, ip instanceof Inet4Address ? FAMILY_IPV4 : FAMILY_IPV6);
        record.set(ValueLayout.JAVA_INT, PORT_OFFSET, address.getPort());
        if (ip instanceof Inet6Address v6) {
            record.set(ValueLayout.JAVA_INT, SCOPE_ID_OFFSET, v6.getScopeId());
        }
        MemorySegment.copy(bytes, 0, record, ValueLayout.JAVA_BYTE, ADDRESS_OFFSET, bytes.length);
    }

    /**
     * Reads the record at the start of {@code record}. An IPv4-mapped IPv6 address without a
     * scope id ({@code ::ffff:a.b.c.d}, as a dual-stack socket reports an IPv4 peer) reads as the
     * IPv4 address.
     *
     * @throws IllegalArgumentException when {@code record} is shorter than {@link #SIZE_BYTES},
     *         holds no IPv4 or IPv6 address, or a port or IPv6 scope id that Java cannot hold
     */
    public static InetSocketAddress read(MemorySegment record) {
        checkLength(record);
        int family = record.get(ValueLayout.JAVA_INT, FAMILY_OFFSET);
        int port = record.get(ValueLayout.JAVA_INT, PORT_OFFSET);
        int length = switch (family) {
            case FAMILY_IPV4 -> 4;
            case FAMILY_IPV6 -> 16;
            default -> throw new IllegalArgumentException("socket address record has family " + family
                    + ", expected " + FAMILY_IPV4 + " or " + FAMILY_IPV6);
        };
        if (port < 0 || port > MAX_PORT) {
            throw new IllegalArgumentException("socket address record has port " + Integer.toUnsignedString(port)
                    + ", expected 0 to " + MAX_PORT);
        }
        int scopeId = record.get(ValueLayout.JAVA_INT, SCOPE_ID_OFFSET);
        if (family == FAMILY_IPV6 && scopeId < 0) {
            // C's uint32_t above 2^31-1: Inet6Address takes a negative scope id as "none" and would
            // silently drop it, so the address read would name a different interface.
            throw new IllegalArgumentException("socket address record has IPv6 scope id " + Integer.toUnsignedString(scopeId)
                    + ", above the 2^31-1 that Inet6Address holds");
        }
        byte[] bytes = new byte[length];
        MemorySegment.copy(record, ValueLayout.JAVA_BYTE, ADDRESS_OFFSET, bytes, 0, length);
        try {
            InetAddress ip;
            if (family == FAMILY_IPV6 && scopeId != 0) {
                ip = Inet6Address.getByAddress(null, bytes, scopeId);
            } else {
                ip = InetAddress.getByAddress(bytes); // maps ::ffff:a.b.c.d to an Inet4Address
            }
            return new InetSocketAddress(ip, port);
        } catch (UnknownHostException e) {
            throw new AssertionError("a 4- or 16-byte address is always valid", e);
        }
    }

    /** A record is all of its fields even when only some are used: a shorter segment is a caller's bug. */
    private static void checkLength(MemorySegment record) {
        if (record.byteSize() < SIZE_BYTES) {
            throw new IllegalArgumentException("a socket address record takes " + SIZE_BYTES + " bytes, this segment has "
                    + record.byteSize());
        }
    }
}
