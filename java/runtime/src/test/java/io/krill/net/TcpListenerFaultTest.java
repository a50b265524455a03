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
}
