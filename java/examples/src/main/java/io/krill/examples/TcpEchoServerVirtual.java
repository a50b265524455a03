package io.krill.examples;

import io.krill.JoinHandle;
import io.krill.Runtime;
import io.krill.net.SocketClosedException;
import io.krill.net.TcpListener;
import io.krill.net.TcpStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletionException;

/**
 * The guide's "TCP Server" in blocking style (#15): the same echo server as
 * {@link TcpEchoServer}, with a virtual thread per connection instead of a coroutine. Each
 * {@code .await} of the guide is a {@code .join()}, which parks only the virtual thread; the
 * reads and writes wait on Krill's reactor, as the coroutine's do.
 *
 * <pre>{@code
 * loop {
 *     let (mut socket, addr) = listener.accept().await.expect("Failed to accept");
 *     tokio::spawn(async move {
 *         let mut buf = vec![0; 1024];
 *         loop {
 *             let n = socket.read(&mut buf).await.unwrap();
 *             if n == 0 { return; }
 *             socket.write_all(&buf[..n]).await.unwrap();
 *         }
 *     });
 * }
 * }</pre>
 *
 * {@code tokio::spawn} is {@link Runtime#spawnVirtual}; the loops are plain loops, their state
 * plain locals. Run it with {@code ci/example TcpEchoServerVirtual [PORT]}, and talk to it with
 * {@link TcpClientVirtual} (or {@link TcpClient}: the wire is the same).
 */
public final class TcpEchoServerVirtual implements AutoCloseable {

    /** The guide's {@code vec![0; 1024]}. */
    static final int BUFFER_BYTES = 1024;

    private final TcpListener listener;
    private final JoinHandle<Void> accepting;

    private TcpEchoServerVirtual(Runtime runtime, TcpListener listener) {
        this.listener = listener;
        this.accepting = runtime.spawnVirtual(() -> acceptLoop(listener));
    }

    /** Binds {@code address} (port 0: a free one, see {@link #localAddress()}) and starts accepting. */
    public static TcpEchoServerVirtual start(Runtime runtime, InetSocketAddress address) {
        // TcpListener.bind works on a virtual thread of spawnVirtual: it runs on a worker meanwhile.
        return new TcpEchoServerVirtual(runtime, runtime.spawnVirtual(() -> TcpListener.bind(address)).join());
    }

    public InetSocketAddress localAddress() {
        return listener.localAddress();
    }

    /** Accepts until the listener is closed; one virtual thread per connection. */
    private static Void acceptLoop(TcpListener listener) {
        for (;;) {
            TcpStream socket;
            try {
                socket = listener.accept().join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof SocketClosedException) {
                    return null; // closed by close(): the loop's end
                }
                throw e; // another failure fails the loop (the guide's expect)
            }
            Runtime.current().spawnVirtual(() -> echo(socket));
        }
    }

    /** One connection: read, write it all back, until end of stream; a failure fails the thread (the guide's unwrap). */
    static Void echo(TcpStream socket) {
        MemorySegment buf = Arena.ofAuto().allocate(BUFFER_BYTES); // shared: a read may finish on any worker
        try (socket) { // closed at the end, as Rust drops it
            for (;;) {
                int n = socket.read(buf).join();
                if (n < 0) {
                    return null; // end of stream: Rust's n == 0
                }
                socket.writeAll(buf.asSlice(0, n)).join();
            }
        }
    }

    /** Stops accepting; connections already open go on until their peers close them. */
    @Override
    public void close() {
        listener.close();
        accepting.join();
    }

    /** {@code [PORT]}: the guide's 8000 by default; 0 picks a free port. */
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : TcpEchoServer.PORT;
        try (Runtime runtime = Runtime.builder().build()) {
            TcpEchoServerVirtual server = start(runtime, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            System.out.println("Echo server on " + server.localAddress() + " (Ctrl-C stops it)");
            server.accepting.join(); // the guide's endless loop
        }
    }
}
