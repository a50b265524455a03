package io.krill.internal.jni;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.internal.errno.Errors;
import io.krill.internal.selfcheck.SelfCheck;
import io.krill.NativeIoException;
import io.krill.internal.ring.EventRecordDescriptor;
import io.krill.net.AddressInUseException;
import io.krill.net.BrokenPipeException;
import io.krill.net.ConnectionRefusedException;
import io.krill.net.ConnectionResetException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The socket shims over real loopback connections, errors included; no descriptor may leak. */
class SocketNativeTest {

    private static final long CLIENT = 1;
    private static final long SERVER = 2;
    private static final long LISTENER = 3;

    private Arena arena;
    private final List<Integer> fds = new ArrayList<>();
    private SelfCheck.Poller poller;
    private MemorySegment records;
    private MemorySegment sockaddr;
    private Map<Integer, String> descriptorsBefore;

    @BeforeAll
    static void load() {
        NativeLibrary.load();
    }

    @BeforeEach
    void setUp() throws IOException {
        descriptorsBefore = OpenDescriptors.supported() ? OpenDescriptors.snapshot() : Map.of();
        arena = Arena.ofShared(); // shared: JUnit runs fixtures and the test on different threads
        poller = SelfCheck.Poller.open(Platform.current(), fds);
        records = arena.allocate(EventRecordDescriptor.SIZE_BYTES * 8L, EventRecordDescriptor.ALIGNMENT_BYTES);
        sockaddr = arena.allocate(SockaddrDescriptor.SIZE_BYTES, 8);
    }

    @AfterEach
    void tearDown() {
        for (int fd : fds) {
            SocketNative.close(fd);
        }
        arena.close();
        if (OpenDescriptors.supported()) {
            assertEquals(Map.of(), OpenDescriptors.openedSince(descriptorsBefore), "descriptors leaked");
        }
    }

    private int open(int family) throws NativeIoException {
        return SelfCheck.track(fds, Errors.check("socket", SocketNative.open(family, SocketNative.STREAM)));
    }

    private int listen(InetAddress ip) throws NativeIoException {
        int listener = open(ip instanceof Inet6Address ? SockaddrDescriptor.FAMILY_IPV6 : SockaddrDescriptor.FAMILY_IPV4);
        SockaddrDescriptor.write(sockaddr, new InetSocketAddress(ip, 0));
        Errors.check("bind", SocketNative.bind(listener, sockaddr.address()));
        Errors.check("listen", SocketNative.listen(listener, 8));
        return listener;
    }

    private InetSocketAddress localAddress(int fd) throws NativeIoException {
        Errors.check("getsockname", SocketNative.localAddress(fd, sockaddr.address()));
        return SockaddrDescriptor.read(sockaddr);
    }

    /** Returns {client, server}. */
    private int[] connectedPair(InetAddress ip) throws IOException {
        int listener = listen(ip);
        InetSocketAddress bound = localAddress(listener);
        poller.register(listener, Readiness.READABLE, LISTENER);
        int client = open(ip instanceof Inet6Address ? SockaddrDescriptor.FAMILY_IPV6 : SockaddrDescriptor.FAMILY_IPV4);
        SockaddrDescriptor.write(sockaddr, bound);
        int rc = SocketNative.connect(client, sockaddr.address());
        assertTrue(rc == 0 || rc == -Errno.EINPROGRESS.number(), "connect returned " + rc);
        SelfCheck.expectEvent(poller, records, LISTENER, Readiness.READABLE, "accept");
        MemorySegment peer = arena.allocate(SockaddrDescriptor.SIZE_BYTES, 8);
        int server = SelfCheck.track(fds, Errors.check("accept", SocketNative.accept(listener, peer.address())));
        Errors.check("connect", SocketNative.finishConnect(client));
        assertEquals(localAddress(client), SockaddrDescriptor.read(peer), "accept reports the client's address");
        poller.register(client, Readiness.READABLE, CLIENT);
        poller.register(server, Readiness.READABLE, SERVER);
        return new int[] {client, server};
    }

    private void write(int fd, String text) throws NativeIoException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        MemorySegment buffer = arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes);
        assertEquals(bytes.length, Errors.check("write", SocketNative.write(fd, buffer.address(), bytes.length)));
    }

    private String read(int fd, long token) throws IOException {
        SelfCheck.expectEvent(poller, records, token, Readiness.READABLE | Readiness.READ_HANGUP, "readable");
        MemorySegment buffer = arena.allocate(256);
        int n = Errors.check("read", SocketNative.read(fd, buffer.address(), 256));
        return new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
    }

    @Test
    void exchangesBytesBothWaysOverIpv4() throws IOException {
        int[] pair = connectedPair(InetAddress.getByName("127.0.0.1"));
        write(pair[0], "ping");
        assertEquals("ping", read(pair[1], SERVER));
        write(pair[1], "pong");
        assertEquals("pong", read(pair[0], CLIENT));
        Errors.check("getpeername", SocketNative.peerAddress(pair[1], sockaddr.address()));
        assertEquals(localAddress(pair[0]), SockaddrDescriptor.read(sockaddr));
        MemorySegment buffer = arena.allocate(16);
        assertEquals(-Errno.EAGAIN.number(), SocketNative.read(pair[1], buffer.address(), 16), "nothing left to read");
    }

    @Test
    void exchangesBytesOverIpv6() throws IOException {
        int probe = SocketNative.open(SockaddrDescriptor.FAMILY_IPV6, SocketNative.STREAM);
        Assumptions.assumeTrue(probe >= 0, "IPv6 unavailable here");
        SocketNative.close(probe);
        int[] pair = connectedPair(InetAddress.getByName("::1"));
        assertInstanceOf(Inet6Address.class, localAddress(pair[0]).getAddress());
        write(pair[0], "six");
        assertEquals("six", read(pair[1], SERVER));
    }

    @Test
    void writevGathersBuffersInOrder() throws IOException {
        int[] pair = connectedPair(InetAddress.getLoopbackAddress());
        String[] parts = {"gather ", "", "these ", "bytes"};
        MemorySegment iovecs = arena.allocate((long) IovecDescriptor.SIZE_BYTES * parts.length, 8);
        for (int i = 0; i < parts.length; i++) {
            MemorySegment part = arena.allocateFrom(ValueLayout.JAVA_BYTE, parts[i].getBytes(StandardCharsets.US_ASCII));
            IovecDescriptor.set(iovecs, i, part.address(), part.byteSize());
        }
        assertEquals(18, Errors.check("writev", SocketNative.writev(pair[0], iovecs.address(), parts.length)));
        assertEquals("gather these bytes", read(pair[1], SERVER));
        assertEquals(-Errno.EINVAL.number(), SocketNative.writev(pair[0], iovecs.address(), -1));
    }

    @Test
    void halfCloseDeliversEndOfStreamAndKeepsTheOtherDirection() throws IOException {
        int[] pair = connectedPair(InetAddress.getLoopbackAddress());
        write(pair[0], "last words");
        Errors.check("shutdown", SocketNative.shutdown(pair[0], SocketNative.SHUT_WRITE));
        assertEquals("last words", read(pair[1], SERVER));
        assertEquals("", read(pair[1], SERVER), "end of stream after the peer's FIN");
        write(pair[1], "reply");
        assertEquals("reply", read(pair[0], CLIENT));
        assertEquals(-Errno.EINVAL.number(), SocketNative.shutdown(pair[0], 9));
    }

    @Test
    void aResetPeerIsReportedAsResetThenBrokenPipe() throws IOException {
        int[] pair = connectedPair(InetAddress.getLoopbackAddress());
        Errors.check("linger", SocketNative.setOption(pair[1], SocketOption.SO_LINGER.id(), 0));
        Errors.check("close", SocketNative.close(pair[1]));
        fds.remove(Integer.valueOf(pair[1]));
        SelfCheck.expectEvent(poller, records, CLIENT, Readiness.READABLE | Readiness.HANGUP, "reset");
        MemorySegment buffer = arena.allocate(16);
        NativeIoException reset = assertThrows(NativeIoException.class,
                () -> Errors.check("read", SocketNative.read(pair[0], buffer.address(), 16)));
        assertInstanceOf(ConnectionResetException.class, reset);
        NativeIoException afterReset = assertThrows(NativeIoException.class,
                () -> Errors.check("write", SocketNative.write(pair[0], buffer.address(), 16)));
        assertTrue(afterReset instanceof BrokenPipeException || afterReset instanceof ConnectionResetException,
                afterReset.toString());
    }

    @Test
    void connectingToAClosedPortIsRefused() throws IOException {
        int listener = listen(InetAddress.getLoopbackAddress());
        InetSocketAddress bound = localAddress(listener);
        Errors.check("close", SocketNative.close(listener));
        fds.remove(Integer.valueOf(listener));
        int client = open(SockaddrDescriptor.FAMILY_IPV4);
        SockaddrDescriptor.write(sockaddr, bound);
        int rc = SocketNative.connect(client, sockaddr.address());
        if (rc == -Errno.EINPROGRESS.number()) {
            poller.register(client, Readiness.WRITABLE, CLIENT);
            SelfCheck.expectEvent(poller, records, CLIENT, Readiness.WRITABLE | Readiness.ERROR | Readiness.HANGUP, "connect");
            rc = SocketNative.finishConnect(client);
        }
        int result = rc;
        assertThrows(ConnectionRefusedException.class, () -> Errors.check("connect(" + bound + ")", result));
    }

    @Test
    void bindingATakenAddressFails() throws IOException {
        int listener = listen(InetAddress.getLoopbackAddress());
        InetSocketAddress bound = localAddress(listener);
        int other = open(SockaddrDescriptor.FAMILY_IPV4);
        SockaddrDescriptor.write(sockaddr, bound);
        AddressInUseException e = assertThrows(AddressInUseException.class,
                () -> Errors.check("bind(" + bound + ")", SocketNative.bind(other, sockaddr.address())));
        assertTrue(e.getMessage().contains(bound.toString()), e.getMessage());
    }

    @Test
    void optionsRoundTripThroughTheirEncoding() throws IOException {
        int fd = open(SockaddrDescriptor.FAMILY_IPV4);
        for (SocketOption option : List.of(SocketOption.TCP_NODELAY, SocketOption.SO_REUSEADDR, SocketOption.SO_KEEPALIVE)) {
            Errors.check("set " + option, SocketNative.setOption(fd, option.id(), 1));
            assertEquals(SocketNative.OPTION_PRESENT | 1, SocketNative.getOption(fd, option.id()), option.name());
            Errors.check("set " + option, SocketNative.setOption(fd, option.id(), 0));
            assertEquals(SocketNative.OPTION_PRESENT, SocketNative.getOption(fd, option.id()), option.name());
        }
        Errors.check("linger", SocketNative.setOption(fd, SocketOption.SO_LINGER.id(), 3));
        assertEquals(3, (int) SocketNative.getOption(fd, SocketOption.SO_LINGER.id()));
        Errors.check("linger", SocketNative.setOption(fd, SocketOption.SO_LINGER.id(), -1));
        long off = SocketNative.getOption(fd, SocketOption.SO_LINGER.id());
        assertTrue((off & SocketNative.OPTION_PRESENT) != 0);
        assertEquals(-1, (int) off, "a negative value survives the encoding");
        Errors.check("rcvbuf", SocketNative.setOption(fd, SocketOption.SO_RCVBUF.id(), 1 << 16));
        assertTrue((int) SocketNative.getOption(fd, SocketOption.SO_RCVBUF.id()) >= 1 << 16);
        assertEquals(SocketNative.OPTION_PRESENT, SocketNative.getOption(fd, SocketOption.SO_ERROR.id()));
        assertEquals(-Errno.ENOPROTOOPT.number(), SocketNative.setOption(fd, SocketOption.SO_ERROR.id(), 1));
        assertEquals(-Errno.EINVAL.number(), SocketNative.setOption(fd, SocketOption.values().length, 1));
        assertEquals(-Errno.EINVAL.number(), SocketNative.getOption(fd, -1));
        assertEquals(-Errno.EBADF.number(), SocketNative.getOption(-1, SocketOption.TCP_NODELAY.id()));
    }

    @Test
    void malformedAddressesAreRejectedByTheShim() throws IOException {
        int fd = open(SockaddrDescriptor.FAMILY_IPV4);
        SockaddrDescriptor.write(sockaddr, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        sockaddr.set(ValueLayout.JAVA_INT, SockaddrDescriptor.FAMILY_OFFSET, 5);
        assertEquals(-Errno.EAFNOSUPPORT.number(), SocketNative.bind(fd, sockaddr.address()));
        sockaddr.set(ValueLayout.JAVA_INT, SockaddrDescriptor.FAMILY_OFFSET, SockaddrDescriptor.FAMILY_IPV4);
        sockaddr.set(ValueLayout.JAVA_INT, SockaddrDescriptor.PORT_OFFSET, 65_536);
        assertEquals(-Errno.EINVAL.number(), SocketNative.bind(fd, sockaddr.address()));
        assertEquals(-Errno.EAFNOSUPPORT.number(), SocketNative.open(3, SocketNative.STREAM));
        assertEquals(-Errno.EINVAL.number(), SocketNative.open(SockaddrDescriptor.FAMILY_IPV4, 0));
        assertEquals(-Errno.EINVAL.number(), SocketNative.read(fd, sockaddr.address(), -1));
        assertEquals(-Errno.EBADF.number(), SocketNative.close(-1));
    }

    @Test
    void addressRecordsRoundTripWithoutTheKernel() throws Exception {
        for (String host : List.of("127.0.0.1", "10.1.2.3", "::1", "fe80::1")) {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(host), 8080);
            SockaddrDescriptor.write(sockaddr, address);
            assertEquals(address, SockaddrDescriptor.read(sockaddr), host);
        }
        InetSocketAddress scoped = new InetSocketAddress(Inet6Address.getByAddress(null,
                InetAddress.getByName("fe80::1").getAddress(), 3), 1);
        SockaddrDescriptor.write(sockaddr, scoped);
        assertEquals(3, sockaddr.get(ValueLayout.JAVA_INT, SockaddrDescriptor.SCOPE_ID_OFFSET));
        assertEquals(scoped, SockaddrDescriptor.read(sockaddr));
        // An IPv4-mapped IPv6 address (a dual-stack accept) reads back as IPv4.
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 127;
        mapped[15] = 1;
        sockaddr.set(ValueLayout.JAVA_INT, SockaddrDescriptor.FAMILY_OFFSET, SockaddrDescriptor.FAMILY_IPV6);
        sockaddr.set(ValueLayout.JAVA_INT, SockaddrDescriptor.SCOPE_ID_OFFSET, 0);
        MemorySegment.copy(mapped, 0, sockaddr, ValueLayout.JAVA_BYTE, SockaddrDescriptor.ADDRESS_OFFSET, 16);
        assertArrayEquals(new byte[] {127, 0, 0, 1}, SockaddrDescriptor.read(sockaddr).getAddress().getAddress());
        sockaddr.set(ValueLayout.JAVA_INT, SockaddrDescriptor.FAMILY_OFFSET, 0);
        assertThrows(IllegalArgumentException.class, () -> SockaddrDescriptor.read(sockaddr));
        assertThrows(IllegalArgumentException.class,
                () -> SockaddrDescriptor.write(sockaddr, InetSocketAddress.createUnresolved("example.org", 80)));
    }
}
