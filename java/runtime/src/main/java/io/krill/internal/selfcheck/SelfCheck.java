package io.krill.internal.selfcheck;

import io.krill.internal.errno.Errors;
import io.krill.internal.jni.Errno;
import io.krill.internal.jni.KqueueNative;
import io.krill.internal.jni.Platform;
import io.krill.internal.jni.Readiness;
import io.krill.internal.jni.SockaddrDescriptor;
import io.krill.internal.jni.SocketNative;
import io.krill.internal.reactor.NativeIo;
import io.krill.internal.ring.EventRecordDescriptor;
import io.krill.internal.ring.SpscRing;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A smoke test of a backend over real descriptors, for the launcher and for tests: a wake-up
 * through the poller, then a loopback TCP exchange driven by poller readiness, every call
 * through the backend's {@link NativeIo} (so it proves the JNA backend as well as the JNI one).
 * Every descriptor it opens is closed before it returns, on success or failure.
 */
public final class SelfCheck {

    private static final int WAIT_MILLIS = 5_000;
    private static final long WAKE_TOKEN = 0x5EED_0000_0001L;
    private static final long LISTENER_TOKEN = 0x5EED_0000_0002L;
    private static final long SERVER_TOKEN = 0x5EED_0000_0003L;

    private SelfCheck() {}

    /**
     * Runs the checks.
     *
     * @return one line per passed check
     * @throws IOException when a call fails or an expected event does not arrive
     */
    public static List<String> run(Platform platform, NativeIo io) throws IOException {
        List<String> passed = new ArrayList<>();
        List<Integer> fds = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment records = arena.allocate(
                    (long) EventRecordDescriptor.SIZE_BYTES * 8, EventRecordDescriptor.ALIGNMENT_BYTES);
            Poller poller = Poller.open(platform, io, fds, arena);

            poller.wakeUp();
            expectEvent(poller, records, WAKE_TOKEN, Readiness.READABLE, "wake-up");
            passed.add(platform.pollerName() + " wake-up delivered (token 0x"
                    + Long.toHexString(WAKE_TOKEN) + ") through " + io.name());

            MemorySegment sockaddr = arena.allocate(SockaddrDescriptor.SIZE_BYTES, 8);
            int listener = track(fds, Errors.check("socket", io.open(SockaddrDescriptor.FAMILY_IPV4, SocketNative.STREAM)));
            SockaddrDescriptor.write(sockaddr, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Errors.check("bind(127.0.0.1:0)", io.bind(listener, sockaddr.address()));
            Errors.check("listen", io.listen(listener, 16));
            Errors.check("getsockname", io.localAddress(listener, sockaddr.address()));
            InetSocketAddress bound = SockaddrDescriptor.read(sockaddr);
            poller.register(listener, Readiness.READABLE, LISTENER_TOKEN);

            int client = track(fds, Errors.check("socket", io.open(SockaddrDescriptor.FAMILY_IPV4, SocketNative.STREAM)));
            int rc = io.connect(client, sockaddr.address());
            if (rc != -Errno.EINPROGRESS.number()) {
                Errors.check("connect(" + bound + ")", rc);
            }
            expectEvent(poller, records, LISTENER_TOKEN, Readiness.READABLE, "accept readiness");
            int server = track(fds, Errors.check("accept", io.accept(listener, 0)));
            Errors.check("connect(" + bound + ")", io.finishConnect(client));
            poller.register(server, Readiness.READABLE, SERVER_TOKEN);

            byte[] message = "hello, krill".getBytes(StandardCharsets.US_ASCII);
            MemorySegment buffer = arena.allocate(64);
            MemorySegment.copy(message, 0, buffer, ValueLayout.JAVA_BYTE, 0, message.length);
            int written = Errors.check("write", io.write(client, buffer.address(), message.length));
            expectEvent(poller, records, SERVER_TOKEN, Readiness.READABLE, "read readiness");
            buffer.fill((byte) 0);
            int read = Errors.check("read", io.read(server, buffer.address(), (int) buffer.byteSize()));
            byte[] received = buffer.asSlice(0, read).toArray(ValueLayout.JAVA_BYTE);
            if (written != message.length || !java.util.Arrays.equals(received, message)) {
                throw new IOException("loopback exchange garbled: wrote " + written + " bytes, read '"
                        + new String(received, StandardCharsets.US_ASCII) + "'");
            }
            passed.add("loopback TCP on " + bound + ": connect, accept, " + read + "-byte write/read");
        } finally {
            for (int i = fds.size() - 1; i >= 0; i--) {
                io.close(fds.get(i)); // close(2) works on any descriptor
            }
        }
        return passed;
    }

    public static int track(List<Integer> fds, int fd) {
        fds.add(fd);
        return fd;
    }

    /** Polls until a record with {@code token} and any of {@code readiness} arrives. */
    public static void expectEvent(Poller poller, MemorySegment records, long token, int readiness, String what)
            throws IOException {
        int capacity = (int) (records.byteSize() / EventRecordDescriptor.SIZE_BYTES);
        long deadlineNanos = System.nanoTime() + WAIT_MILLIS * 1_000_000L;
        while (System.nanoTime() < deadlineNanos) {
            int n = poller.poll(records, WAIT_MILLIS);
            for (int i = 0; i < n; i++) {
                if (EventRecordDescriptor.token(records, i) == token
                        && (EventRecordDescriptor.readiness(records, i) & readiness) != 0) {
                    return;
                }
            }
        }
        throw new IOException("no " + what + " event within " + WAIT_MILLIS + " ms");
    }

    /**
     * The platform's poller, just enough of it for the check and the tests of this package;
     * descriptors it opens are added to the caller's list for closing.
     */
    public interface Poller {
        void register(int fd, int interest, long token) throws IOException;

        void wakeUp() throws IOException;

        /** Waits, then writes up to {@code records}' capacity of event records into it: how many. */
        int poll(MemorySegment records, int timeoutMillis) throws IOException;

        /**
         * On Linux, epoll through {@code io} into a ring in {@code arena}, as a worker waits; on
         * macOS, libkrill's kqueue shims (kqueue is not behind the backend interface yet).
         */
        static Poller open(Platform platform, NativeIo io, List<Integer> fds, Arena arena) throws IOException {
            if (platform.os().equals("linux")) {
                int epfd = track(fds, Errors.check("epoll_create", io.epollCreate()));
                int eventfd = track(fds, Errors.check("eventfd", io.eventfdCreate()));
                Errors.check("epoll_ctl(ADD eventfd)", io.epollAdd(epfd, eventfd, Readiness.READABLE, WAKE_TOKEN));
                SpscRing ring = SpscRing.allocate(arena, 8);
                return new Poller() {
                    public void register(int fd, int interest, long token) throws IOException {
                        Errors.check("epoll_ctl(ADD " + fd + ")", io.epollAdd(epfd, fd, interest, token));
                    }

                    public void wakeUp() throws IOException {
                        Errors.check("eventfd write", io.eventfdWrite(eventfd, 1));
                    }

                    public int poll(MemorySegment records, int timeoutMillis) throws IOException {
                        if (ring.size() == 0) {
                            Errors.check("epoll_wait", io.epollWaitRing(epfd, ring.address(), timeoutMillis));
                        }
                        int[] written = {0};
                        ring.drain((token, readiness, result) -> {
                            long at = (long) written[0]++ * EventRecordDescriptor.SIZE_BYTES;
                            records.set(ValueLayout.JAVA_LONG, at + EventRecordDescriptor.TOKEN_OFFSET, token);
                            records.set(ValueLayout.JAVA_INT, at + EventRecordDescriptor.READINESS_OFFSET, readiness);
                            records.set(ValueLayout.JAVA_INT, at + EventRecordDescriptor.RESULT_OFFSET, result);
                        }, (int) (records.byteSize() / EventRecordDescriptor.SIZE_BYTES));
                        if (sawWake(records, written[0])) {
                            io.eventfdRead(eventfd); // level-triggered: reset, so the next wait does not see it again
                        }
                        return written[0];
                    }

                    private boolean sawWake(MemorySegment records, int count) {
                        for (int i = 0; i < count; i++) {
                            if (EventRecordDescriptor.token(records, i) == WAKE_TOKEN) {
                                return true;
                            }
                        }
                        return false;
                    }
                };
            }
            int kq = track(fds, Errors.check("kqueue", KqueueNative.kqueueCreate()));
            Errors.check("kevent(EVFILT_USER)", KqueueNative.kqueueAddUser(kq, WAKE_TOKEN));
            return new Poller() {
                public void register(int fd, int interest, long token) throws IOException {
                    Errors.check("kevent(ADD " + fd + ")", KqueueNative.kqueueRegister(kq, fd, interest, token));
                }

                public void wakeUp() throws IOException {
                    Errors.check("kevent(NOTE_TRIGGER)", KqueueNative.kqueueTriggerUser(kq, WAKE_TOKEN));
                }

                public int poll(MemorySegment records, int timeoutMillis) throws IOException {
                    int capacity = (int) (records.byteSize() / EventRecordDescriptor.SIZE_BYTES);
                    return Errors.check("kevent", KqueueNative.kqueueWait(kq, records.address(), capacity, timeoutMillis));
                }
            };
        }
    }
}
