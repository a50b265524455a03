package io.krill.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.NativeIoException;
import io.krill.Task;
import io.krill.internal.jni.Errno;
import io.krill.internal.reactor.FaultyNativeIo.Call;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The Task API's accept and stream I/O under injected system-call failures (#13): which accept
 * failures pass (back off, keep the pending connection) and which fail the accept, and that
 * wrong EAGAINs lose no byte.
 */
@EnabledOnOs(OS.LINUX)
class TcpListenerFaultTest extends FaultFixture {

    /** A pending accept, then a client that connects to it: the accept's task and the client. */
    private record Pending(TcpListener listener, Task<TcpStream> accepting) {}

    private Pending pendingAccept() throws Exception {
        TcpListener listener = runtime.blockOn(() -> TcpListener.bind(loopback(0)));
        Task<TcpStream> accepting = runtime.blockOn(() -> listener.accept());
        Thread.sleep(20);
        assertFalse(accepting.isDone(), "nobody connected yet");
        return new Pending(listener, accepting);
    }

    private static Socket connect(TcpListener listener) throws Exception {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), listener.localAddress().getPort());
        socket.setSoTimeout((int) WAIT.toMillis()); // a hang fails the test, not the build
        return socket;
    }

    /**
     * EBADF says the listener is broken, not the system busy: the pending accept fails at once
     * with an exception that names accept and EBADF, and does not retry (one accept call for
     * the edge, none after); the connection stays queued for the next accept.
     */
    @Test
    void ebadfFailsThePendingAcceptNamingAcceptAndEbadfWithoutRetrying() throws Exception {
        Pending pending = pendingAccept();
        long callsBefore = io.calls(Call.ACCEPT);
        io.failNext(Call.ACCEPT, Errno.EBADF, 1);
        try (Socket client = connect(pending.listener())) {
            CompletionException e = assertThrows(CompletionException.class, () -> pending.accepting().join(WAIT));
            NativeIoException failure = assertInstanceOf(NativeIoException.class, e.getCause());
            assertEquals("EBADF", failure.errnoName());
            assertTrue(failure.getMessage().contains("accept(" + pending.listener().localAddress() + ")"), failure.getMessage());
            Thread.sleep(100);
            assertEquals(1, io.calls(Call.ACCEPT) - callsBefore, "one accept for the edge, and no retry");
            assertEquals(1, io.injected(Call.ACCEPT));
            TcpStream later = runtime.blockOn(() -> pending.listener().accept()).join(WAIT);
            assertEquals(client.getLocalSocketAddress(), later.peerAddress(), "the connection stayed queued");
            later.close();
        } finally {
            pending.listener().close();
        }
    }

    /**
     * Wrong EAGAINs from every third read and every third write (each re-arming the descriptor,
     * as the kernel's next edge would: see FaultyNativeIo's notes) make the echo wait for
     * readiness again and again; every byte of a mebibyte must come back, in order.
     */
    @Test
    void spuriousEagainOnReadAndWriteLosesAndReordersNoByteOfAMebibyteEcho() throws Exception {
        Pending pending = pendingAccept();
        io.failEvery(Call.READ, Errno.EAGAIN, 3, true).failEvery(Call.WRITE, Errno.EAGAIN, 3, true);
        byte[] sent = randomBytes(1 << 20);
        try (Socket client = connect(pending.listener())) {
            TcpStream server = pending.accepting().join(WAIT);
            MemorySegment buffer = arena.allocate(16 * 1024);
            Task<Void> echoing = runtime.blockOn(() -> echo(server, buffer));
            byte[] back = echoThrough(client, sent);
            assertEquals(-1, firstDifference(sent, back), "echoed bytes differ from the sent ones");
            client.shutdownOutput();
            echoing.join(WAIT);
        } finally {
            io.heal(Call.READ).heal(Call.WRITE);
            pending.listener().close();
        }
        assertTrue(io.injected(Call.READ) >= 4, io.injected(Call.READ) + " injected read EAGAINs");
        assertTrue(io.injected(Call.WRITE) >= 4, io.injected(Call.WRITE) + " injected write EAGAINs");
    }

    /**
     * The kernel short of buffers, then of memory, then a connection that broke in the queue:
     * each passes, so the pending accept backs off (the timer, not an edge: the listener stays
     * readable) instead of failing, warns once per cause with what to do, and takes the
     * connection that waited once the faults are over.
     */
    @Test
    void enobufsAndEnomemStormsAndEprotoDoNotFailThePendingAccept() throws Exception {
        captureWarnings(TcpListener.class.getName());
        Pending pending = pendingAccept();
        io.storm(Call.ACCEPT, Errno.ENOBUFS, Duration.ofMillis(100))
                .storm(Call.ACCEPT, Errno.ENOMEM, Duration.ofMillis(100))
                .failNext(Call.ACCEPT, Errno.EPROTO, 1);
        try (Socket client = connect(pending.listener())) {
            TcpStream accepted = pending.accepting().join(WAIT);
            assertEquals(client.getLocalSocketAddress(), accepted.peerAddress(), "the connection that waited");
            accepted.close();
        } finally {
            pending.listener().close();
        }
        long injected = io.injected(Call.ACCEPT);
        assertTrue(injected >= 3, injected + " injected accept failures");
        assertEquals(injected, pending.listener().acceptBackoffs(), "one back-off per failed accept");
        for (String errno : List.of("ENOBUFS", "ENOMEM", "EPROTO")) {
            assertEquals(1, warningsMentioning(errno), "one warning naming " + errno + ": " + warnings);
        }
        String address = pending.listener().localAddress().toString();
        assertTrue(warnings.stream().allMatch(w -> w.contains(address) && w.contains("Logged once per listener")), warnings.toString());
        assertEquals(1, warningsMentioning("net.ipv4.tcp_mem"), "the ENOBUFS warning says where to look: " + warnings);
    }

    /**
     * epoll refuses the accepted descriptor (ENOSPC: fs.epoll.max_user_watches used up): the
     * descriptor is closed, not leaked (the peer reads end of stream, and the process has only
     * the client's socket more than before), the pending accept does not fail, and it takes the
     * next connection.
     */
    @Test
    void enospcFromEpollAddOnTheAcceptedDescriptorClosesItAndAcceptGoesOn() throws Exception {
        captureWarnings(TcpListener.class.getName());
        Pending pending = pendingAccept();
        long socketsBefore = sockets(openDescriptors());
        io.failNext(Call.EPOLL_ADD, Errno.ENOSPC, 1);
        try {
            try (Socket refused = connect(pending.listener())) {
                assertEquals(-1, refused.getInputStream().read(), "the accepted end was closed");
                assertEquals(socketsBefore + 1, sockets(openDescriptors()), "only the client's socket more: "
                        + openDescriptors());
            }
            assertEquals(1, io.injected(Call.EPOLL_ADD));
            Thread.sleep(50);
            assertFalse(pending.accepting().isDone(), "the accept goes on: " + pending.accepting());
            try (Socket next = connect(pending.listener())) {
                TcpStream accepted = pending.accepting().join(WAIT);
                assertEquals(next.getLocalSocketAddress(), accepted.peerAddress(), "the next connection");
                accepted.close();
            }
        } finally {
            pending.listener().close();
        }
        assertEquals(1, pending.listener().acceptBackoffs());
        assertEquals(1, warningsMentioning("fs.epoll.max_user_watches"), warnings.toString());
    }
}
