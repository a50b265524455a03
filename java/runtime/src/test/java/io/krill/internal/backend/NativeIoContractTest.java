package io.krill.internal.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.internal.errno.Errors;
import io.krill.internal.jni.Errno;
import io.krill.internal.jni.IovecDescriptor;
import io.krill.internal.jni.OpenDescriptors;
import io.krill.internal.jni.Platform;
import io.krill.internal.jni.Readiness;
import io.krill.internal.jni.SockaddrDescriptor;
import io.krill.internal.jni.SocketNative;
import io.krill.internal.jni.SocketOption;
import io.krill.internal.reactor.NativeIo;
import io.krill.internal.ring.SpscRing;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The backend contract (#14), the same for every {@link NativeIo}: each socket and poller call
 * over real loopback connections, errors included, with the same results and {@code -errno}s
 * from libkrill's JNI shims and from the C library through JNA; no descriptor may leak.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"jni", "jna"})
class NativeIoContractTest {

    private static final long CLIENT = 1;
    private static final long SERVER = 2;
    private static final long LISTENER = 3;

    private Arena arena;
    private final List<Integer> fds = new ArrayList<>();
    private SelfCheck.Poller poller;
    private MemorySegment records;
    private MemorySegment sockaddr;
    private Map<Integer, String> descriptorsBefore;

    @Parameter
    String backend;

    private NativeIo io;

    @BeforeEach
    void setUp() throws IOException {
        io = Backends.load(backend);
        descriptorsBefore = OpenDescriptors.supported() ? OpenDescriptors.snapshot() : Map.of();
        arena = Arena.ofShared(); // shared: JUnit runs fixtures and the test on different threads
        poller = SelfCheck.Poller.open(Platform.current(), io, fds, arena);
        records = arena.allocate(EventRecordDescriptor.SIZE_BYTES * 8L, EventRecordDescriptor.ALIGNMENT_BYTES);
        sockaddr = arena.allocate(SockaddrDescriptor.SIZE_BYTES, 8);
    }

    @AfterEach
    void tearDown() {
        for (int fd : fds) {
            io.close(fd);
        }
        arena.close();
        if (OpenDescriptors.supported()) {
            assertEquals(Map.of(), OpenDescriptors.openedSince(descriptorsBefore), "descriptors leaked");
        }
    }

    private int open(int family) throws NativeIoException {
        return SelfCheck.track(fds, Errors.check("socket", io.open(family, SocketNative.STREAM)));
    }

    private int listen(InetAddress ip) throws NativeIoException {
        int listener = open(ip instanceof Inet6Address ? SockaddrDescriptor.FAMILY_IPV6 : SockaddrDescriptor.FAMILY_IPV4);
        SockaddrDescriptor.write(sockaddr, new InetSocketAddress(ip, 0));
        Errors.check("bind", io.bind(listener, sockaddr.address()));
        Errors.check("listen", io.listen(listener, 8));
        return listener;
    }

    private InetSocketAddress localAddress(int fd) throws NativeIoException {
        Errors.check("getsockname", io.localAddress(fd, sockaddr.address()));
        return SockaddrDescriptor.read(sockaddr);
    }

    /** Returns {client, server}. */
    private int[] connectedPair(InetAddress ip) throws IOException {
        int listener = listen(ip);
        InetSocketAddress bound = localAddress(listener);
        poller.register(listener, Readiness.READABLE, LISTENER);
        int client = open(ip instanceof Inet6Address ? SockaddrDescriptor.FAMILY_IPV6 : SockaddrDescriptor.FAMILY_IPV4);
        SockaddrDescriptor.write(sockaddr, bound);
        int rc = io.connect(client, sockaddr.address());
        assertTrue(rc == 0 || rc == -Errno.EINPROGRESS.number(), "connect returned " + rc);
        SelfCheck.expectEvent(poller, records, LISTENER, Readiness.READABLE, "accept");
        MemorySegment peer = arena.allocate(SockaddrDescriptor.SIZE_BYTES, 8);
        int server = SelfCheck.track(fds, Errors.check("accept", io.accept(listener, peer.address())));
        Errors.check("connect", io.finishConnect(client));
        assertEquals(localAddress(client), SockaddrDescriptor.read(peer), "accept reports the client's address");
        poller.register(client, Readiness.READABLE, CLIENT);
        poller.register(server, Readiness.READABLE, SERVER);
        return new int[] {client, server};
    }

    private void write(int fd, String text) throws NativeIoException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        MemorySegment buffer = arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes);
        assertEquals(bytes.length, Errors.check("write", io.write(fd, buffer.address(), bytes.length)));
    }

    private String read(int fd, long token) throws IOException {
        SelfCheck.expectEvent(poller, records, token, Readiness.READABLE | Readiness.READ_HANGUP, "readable");
        MemorySegment buffer = arena.allocate(256);
        int n = Errors.check("read", io.read(fd, buffer.address(), 256));
        return new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
    }

    @Test
    void exchangesBytesBothWaysOverIpv4() throws IOException {
        int[] pair = connectedPair(InetAddress.getByName("127.0.0.1"));
        write(pair[0], "ping");
        assertEquals("ping", read(pair[1], SERVER));
        write(pair[1], "pong");
        assertEquals("pong", read(pair[0], CLIENT));
        Errors.check("getpeername", io.peerAddress(pair[1], sockaddr.address()));
        assertEquals(localAddress(pair[0]), SockaddrDescriptor.read(sockaddr));
        MemorySegment buffer = arena.allocate(16);
        assertEquals(-Errno.EAGAIN.number(), io.read(pair[1], buffer.address(), 16), "nothing left to read");
    }

    @Test
    void exchangesBytesOverIpv6() throws IOException {
        int probe = io.open(SockaddrDescriptor.FAMILY_IPV6, SocketNative.STREAM);
        Assumptions.assumeTrue(probe >= 0, "IPv6 unavailable here");
        io.close(probe);
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
        assertEquals(18, Errors.check("writev", io.writev(pair[0], iovecs.address(), parts.length)));
        assertEquals("gather these bytes", read(pair[1], SERVER));
        assertEquals(-Errno.EINVAL.number(), io.writev(pair[0], iovecs.address(), -1));
    }

    @Test
    void halfCloseDeliversEndOfStreamAndKeepsTheOtherDirection() throws IOException {
        int[] pair = connectedPair(InetAddress.getLoopbackAddress());
        write(pair[0], "last words");
        Errors.check("shutdown", io.shutdown(pair[0], SocketNative.SHUT_WRITE));
        assertEquals("last words", read(pair[1], SERVER));
        assertEquals("", read(pair[1], SERVER), "end of stream after the peer's FIN");
        write(pair[1], "reply");
        assertEquals("reply", read(pair[0], CLIENT));
        assertEquals(-Errno.EINVAL.number(), io.shutdown(pair[0], 9));
    }

    @Test
    void aResetPeerIsReportedAsResetThenBrokenPipe() throws IOException {
        int[] pair = connectedPair(InetAddress.getLoopbackAddress());
        Errors.check("linger", io.setOption(pair[1], SocketOption.SO_LINGER.id(), 0));
        Errors.check("close", io.close(pair[1]));
        fds.remove(Integer.valueOf(pair[1]));
        SelfCheck.expectEvent(poller, records, CLIENT, Readiness.READABLE | Readiness.HANGUP, "reset");
        MemorySegment buffer = arena.allocate(16);
        NativeIoException reset = assertThrows(NativeIoException.class,
                () -> Errors.check("read", io.read(pair[0], buffer.address(), 16)));
        assertInstanceOf(ConnectionResetException.class, reset);
        NativeIoException afterReset = assertThrows(NativeIoException.class,
                () -> Errors.check("write", io.write(pair[0], buffer.address(), 16)));
        assertTrue(afterReset instanceof BrokenPipeException || afterReset instanceof ConnectionResetException,
                afterReset.toString());
    }

    @Test
    void connectingToAClosedPortIsRefused() throws IOException {
        int listener = listen(InetAddress.getLoopbackAddress());
        InetSocketAddress bound = localAddress(listener);
        Errors.check("close", io.close(listener));
        fds.remove(Integer.valueOf(listener));
        int client = open(SockaddrDescriptor.FAMILY_IPV4);
        SockaddrDescriptor.write(sockaddr, bound);
        int rc = io.connect(client, sockaddr.address());
        if (rc == -Errno.EINPROGRESS.number()) {
            poller.register(client, Readiness.WRITABLE, CLIENT);
            SelfCheck.expectEvent(poller, records, CLIENT, Readiness.WRITABLE | Readiness.ERROR | Readiness.HANGUP, "connect");
            rc = io.finishConnect(client);
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
                () -> Errors.check("bind(" + bound + ")", io.bind(other, sockaddr.address())));
        assertTrue(e.getMessage().contains(bound.toString()), e.getMessage());
    }

    @Test
    void optionsRoundTripThroughTheirEncoding() throws IOException {
        int fd = open(SockaddrDescriptor.FAMILY_IPV4);
        for (SocketOption option : List.of(SocketOption.TCP_NODELAY, SocketOption.SO_REUSEADDR, SocketOption.SO_KEEPALIVE)) {
            Errors.check("set " + option, io.setOption(fd, option.id(), 1));
            assertEquals(SocketNative.OPTION_PRESENT | 1, io.getOption(fd, option.id()), option.name());
            Errors.check("set " + option, io.setOption(fd, option.id(), 0));
            assertEquals(SocketNative.OPTION_PRESENT, io.getOption(fd, option.id()), option.name());
        }
        Errors.check("linger", io.setOption(fd, SocketOption.SO_LINGER.id(), 3));
        assertEquals(3, (int) io.getOption(fd, SocketOption.SO_LINGER.id()));
        Errors.check("linger", io.setOption(fd, SocketOption.SO_LINGER.id(), -1));
        long off = io.getOption(fd, SocketOption.SO_LINGER.id());
        assertTrue((off & SocketNative.OPTION_PRESENT) != 0);
        assertEquals(-1, (int) off, "a negative value survives the encoding");
        Errors.check("rcvbuf", io.setOption(fd, SocketOption.SO_RCVBUF.id(), 1 << 16));
        assertTrue((int) io.getOption(fd, SocketOption.SO_RCVBUF.id()) >= 1 << 16);
        assertEquals(SocketNative.OPTION_PRESENT, io.getOption(fd, SocketOption.SO_ERROR.id()));
        assertEquals(-Errno.ENOPROTOOPT.number(), io.setOption(fd, SocketOption.SO_ERROR.id(), 1));
        assertEquals(-Errno.EINVAL.number(), io.setOption(fd, SocketOption.values().length, 1));
        assertEquals(-Errno.EINVAL.number(), io.getOption(fd, -1));
        assertEquals(-Errno.EBADF.number(), io.getOption(-1, SocketOption.TCP_NODELAY.id()));
    }

    @Test
    void malformedAddressesAreRejectedByTheBackend() throws IOException {
        int fd = open(SockaddrDescriptor.FAMILY_IPV4);
        SockaddrDescriptor.write(sockaddr, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        sockaddr.set(ValueLayout.JAVA_INT, SockaddrDescriptor.FAMILY_OFFSET, 5);
        assertEquals(-Errno.EAFNOSUPPORT.number(), io.bind(fd, sockaddr.address()));
        sockaddr.set(ValueLayout.JAVA_INT, SockaddrDescriptor.FAMILY_OFFSET, SockaddrDescriptor.FAMILY_IPV4);
        sockaddr.set(ValueLayout.JAVA_INT, SockaddrDescriptor.PORT_OFFSET, 65_536);
        assertEquals(-Errno.EINVAL.number(), io.bind(fd, sockaddr.address()));
        assertEquals(-Errno.EAFNOSUPPORT.number(), io.open(3, SocketNative.STREAM));
        assertEquals(-Errno.EINVAL.number(), io.open(SockaddrDescriptor.FAMILY_IPV4, 0));
        assertEquals(-Errno.EINVAL.number(), io.read(fd, sockaddr.address(), -1));
        assertEquals(-Errno.EBADF.number(), io.close(-1));
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

    @Test
    void aFullRingRefusesTheWaitAndLosesNoEvent() throws IOException {
        int epfd = SelfCheck.track(fds, Errors.check("epoll_create", io.epollCreate()));
        int eventfd = SelfCheck.track(fds, Errors.check("eventfd", io.eventfdCreate()));
        Errors.check("epoll_ctl", io.epollAdd(epfd, eventfd, Readiness.READABLE, 77L));
        assertEquals(-Errno.EAGAIN.number(), io.eventfdRead(eventfd), "a fresh counter is 0");
        assertEquals(-Errno.EINVAL.number(), io.eventfdWrite(eventfd, 0));
        Errors.check("eventfd write", io.eventfdWrite(eventfd, 5));
        SpscRing ring = SpscRing.allocate(arena, 2);
        assertEquals(1, io.epollWaitRing(epfd, ring.address(), 1_000));
        assertEquals(1, io.epollWaitRing(epfd, ring.address(), 1_000), "level-triggered: still readable");
        assertEquals(-Errno.ENOBUFS.number(), io.epollWaitRing(epfd, ring.address(), 0), "no room: refuse, never drop");
        long[] tokens = new long[2];
        int[] readiness = new int[2];
        int[] seen = {0};
        assertEquals(2, ring.drain((token, ready, result) -> {
            tokens[seen[0]] = token;
            readiness[seen[0]++] = ready;
        }, 8));
        assertArrayEquals(new long[] {77L, 77L}, tokens);
        assertEquals(Readiness.READABLE, readiness[0] & (Readiness.READABLE | Readiness.WRITABLE));
        assertEquals(5, io.eventfdRead(eventfd), "the counter, then reset");
        assertEquals(0, io.epollWaitRing(epfd, ring.address(), 0), "nothing ready after the reset");
        Errors.check("epoll_ctl(DEL)", io.epollDelete(epfd, eventfd));
        assertEquals(-Errno.ENOENT.number(), io.epollDelete(epfd, eventfd), "deleted once");
    }

    @Test
    void tokensKeepAll64BitsAndEdgeTriggeredInterestReportsOnce() throws IOException {
        int epfd = SelfCheck.track(fds, Errors.check("epoll_create", io.epollCreate()));
        int eventfd = SelfCheck.track(fds, Errors.check("eventfd", io.eventfdCreate()));
        long token = 0x8765_4321_0FED_CBA9L;
        Errors.check("epoll_ctl", io.epollAdd(epfd, eventfd, Readiness.READABLE | Readiness.EDGE_TRIGGERED, token));
        Errors.check("eventfd write", io.eventfdWrite(eventfd, 1));
        SpscRing ring = SpscRing.allocate(arena, 4);
        assertEquals(1, io.epollWaitRing(epfd, ring.address(), 1_000));
        assertEquals(0, io.epollWaitRing(epfd, ring.address(), 0), "edge-triggered: no second report without a new edge");
        long[] seen = new long[1];
        ring.drain((t, ready, result) -> seen[0] = t, 4);
        assertEquals(token, seen[0]);
        assertEquals(-Errno.EBADF.number(), io.epollAdd(-1, eventfd, Readiness.READABLE, 1L));
    }
}
