package io.krill.internal.jni;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;

/**
 * Fuzzes the socket address record both ways: any address Java can hold is written and read
 * back as itself (scope id included, which {@code Inet6Address.equals} ignores), and any bytes
 * at all, in a record of any length, either read as exactly the address they spell or are
 * refused with an {@link IllegalArgumentException}, never another exception or a wrong address.
 *
 * <p>{@code mvn test} runs the seeds in {@code SockaddrDescriptorFuzzTestInputs}; ci/test fuzzes
 * {@link #recordsRoundTripOrAreRefused} for a few seconds, {@code -Pfuzz-long} for minutes.
 */
class SockaddrDescriptorFuzzTest {

    /**
     * The fuzzing time in ci/test (measured: Jazzer's start-up adds about 15 s per target here,
     * so ci/test's three targets stay near a minute).
     */
    static final String SHORT_RUN = "5s";
    /** The fuzzing time per target with -Pfuzz-long. */
    static final String LONG_RUN = "5m";

    private static final int IPV4_BYTES = 4;
    private static final int IPV6_BYTES = 16;
    /** Records longer than the layout: a caller's segment may be larger than the record. */
    private static final int MAX_EXTRA_BYTES = 16;

    @FuzzTest(maxDuration = SHORT_RUN)
    void recordsRoundTripOrAreRefused(FuzzedDataProvider data) {
        if (data.consumeBoolean()) {
            addressesRoundTrip(data);
        } else {
            anyRecordReadsFaithfullyOrIsRefused(data);
        }
    }

    @Tag("fuzz-long")
    @FuzzTest(maxDuration = LONG_RUN)
    void recordsRoundTripOrAreRefusedLong(FuzzedDataProvider data) {
        recordsRoundTripOrAreRefused(data);
    }

    /** write then read gives the address back, and the record holds what krill.h says. */
    private static void addressesRoundTrip(FuzzedDataProvider data) {
        boolean v6 = data.consumeBoolean();
        byte[] ip = data.consumeBytes(v6 ? IPV6_BYTES : IPV4_BYTES);
        ip = Arrays.copyOf(ip, v6 ? IPV6_BYTES : IPV4_BYTES);
        int port = data.consumeInt(0, 65535);
        int scopeId = v6 && data.consumeBoolean() ? data.consumeInt(0, Integer.MAX_VALUE) : -1; // -1: no scope
        InetAddress address = v6 ? inet6(ip, scopeId) : inet4(ip);
        InetSocketAddress original = new InetSocketAddress(address, port);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment record = arena.allocate(SockaddrDescriptor.SIZE_BYTES + data.consumeInt(0, MAX_EXTRA_BYTES));
            record.fill(data.consumeByte()); // leftovers of an earlier use must not leak into the record
            SockaddrDescriptor.write(record, original);

            assertEquals(v6 ? SockaddrDescriptor.FAMILY_IPV6 : SockaddrDescriptor.FAMILY_IPV4,
                    record.get(ValueLayout.JAVA_INT, SockaddrDescriptor.FAMILY_OFFSET));
            assertEquals(port, record.get(ValueLayout.JAVA_INT, SockaddrDescriptor.PORT_OFFSET));
            assertEquals(Math.max(scopeId, 0), record.get(ValueLayout.JAVA_INT, SockaddrDescriptor.SCOPE_ID_OFFSET));
            assertEquals(0, record.get(ValueLayout.JAVA_INT, SockaddrDescriptor.FLOWINFO_OFFSET));
            byte[] stored = record.asSlice(SockaddrDescriptor.ADDRESS_OFFSET,
                    SockaddrDescriptor.SIZE_BYTES - SockaddrDescriptor.ADDRESS_OFFSET).toArray(ValueLayout.JAVA_BYTE);
            assertArrayEquals(Arrays.copyOf(ip, stored.length), stored, "address bytes, then zeros");

            InetSocketAddress decoded = SockaddrDescriptor.read(record);
            assertEquals(port, decoded.getPort());
            InetAddress expected = v6 && scopeId <= 0 && isIpv4Mapped(ip) ? inet4(Arrays.copyOfRange(ip, 12, 16)) : address;
            assertSameAddress(expected, decoded.getAddress());
        }
    }

    /** Bytes from the fuzzer as a record of any length: the address they spell, or a refusal. */
    private static void anyRecordReadsFaithfullyOrIsRefused(FuzzedDataProvider data) {
        int length = data.consumeInt(0, SockaddrDescriptor.SIZE_BYTES + MAX_EXTRA_BYTES);
        boolean plausibleFamily = data.consumeBoolean();
        int family = plausibleFamily ? (data.consumeBoolean() ? SockaddrDescriptor.FAMILY_IPV4 : SockaddrDescriptor.FAMILY_IPV6)
                : data.consumeInt();
        byte[] bytes = Arrays.copyOf(data.consumeBytes(length), length);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment record = arena.allocate(Math.max(length, 1)).asSlice(0, length);
            MemorySegment.copy(bytes, 0, record, ValueLayout.JAVA_BYTE, 0, length);
            if (length >= Integer.BYTES) {
                record.set(ValueLayout.JAVA_INT_UNALIGNED, SockaddrDescriptor.FAMILY_OFFSET, family);
            }
            InetSocketAddress decoded;
            try {
                decoded = SockaddrDescriptor.read(record);
            } catch (IllegalArgumentException refused) {
                assertNotNull(refused.getMessage(), "a refusal says why");
                return;
            }
            // Read: the record must have been complete and well-formed, and the address exactly its bytes.
            if (length < SockaddrDescriptor.SIZE_BYTES) {
                fail("read a " + length + "-byte record, shorter than the layout's " + SockaddrDescriptor.SIZE_BYTES + ": " + decoded);
            }
            int storedFamily = record.get(ValueLayout.JAVA_INT, SockaddrDescriptor.FAMILY_OFFSET);
            int port = record.get(ValueLayout.JAVA_INT, SockaddrDescriptor.PORT_OFFSET);
            int scopeId = record.get(ValueLayout.JAVA_INT, SockaddrDescriptor.SCOPE_ID_OFFSET);
            assertEquals(port, decoded.getPort(), "port");
            if (storedFamily == SockaddrDescriptor.FAMILY_IPV4) {
                assertSameAddress(inet4(slice(record, IPV4_BYTES)), decoded.getAddress());
            } else if (storedFamily == SockaddrDescriptor.FAMILY_IPV6) {
                byte[] ip = slice(record, IPV6_BYTES);
                InetAddress expected = scopeId == 0 && isIpv4Mapped(ip) ? inet4(Arrays.copyOfRange(ip, 12, 16)) : inet6(ip, scopeId);
                assertSameAddress(expected, decoded.getAddress());
                if (scopeId != 0) {
                    assertEquals(scopeId, ((Inet6Address) decoded.getAddress()).getScopeId(), "scope id");
                }
            } else {
                fail("read a record of family " + storedFamily + ": " + decoded);
            }
            // What was read writes back to a record that reads the same.
            MemorySegment again = arena.allocate(SockaddrDescriptor.SIZE_BYTES);
            SockaddrDescriptor.write(again, decoded);
            assertSameAddress(decoded.getAddress(), SockaddrDescriptor.read(again).getAddress());
        }
    }

    /** Same class, same bytes and, for IPv6, the same scope id. */
    private static void assertSameAddress(InetAddress expected, InetAddress actual) {
        assertEquals(expected.getClass(), actual.getClass(), () -> "address class of " + actual + ", expected " + expected);
        assertArrayEquals(expected.getAddress(), actual.getAddress(), () -> actual + ", expected " + expected);
        if (expected instanceof Inet6Address e6) {
            assertEquals(e6.getScopeId(), assertInstanceOf(Inet6Address.class, actual).getScopeId(), () -> "scope id of " + actual);
        }
    }

    private static byte[] slice(MemorySegment record, int length) {
        return record.asSlice(SockaddrDescriptor.ADDRESS_OFFSET, length).toArray(ValueLayout.JAVA_BYTE);
    }

    private static boolean isIpv4Mapped(byte[] ip) {
        for (int i = 0; i < 10; i++) {
            if (ip[i] != 0) {
                return false;
            }
        }
        return ip[10] == (byte) 0xff && ip[11] == (byte) 0xff;
    }

    private static Inet4Address inet4(byte[] ip) {
        try {
            return (Inet4Address) InetAddress.getByAddress(ip);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** An IPv6 address, v4-mapped or not, with {@code scopeId} (none when negative). */
    private static Inet6Address inet6(byte[] ip, int scopeId) {
        try {
            return Inet6Address.getByAddress(null, ip, scopeId);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
