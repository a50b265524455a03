package io.krill.examples;

import io.krill.Coroutine;
import io.krill.JoinHandle;
import io.krill.Runtime;
import io.krill.Step;
import io.krill.Task;
import io.krill.net.SocketClosedException;
import io.krill.net.TcpListener;
import io.krill.net.TcpStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * The guide's "TCP Server": accepts forever, and each connection echoes what it reads, in its
 * own task.
 *
 * <pre>{@code
 * let listener = TcpListener::bind("127.0.0.1:8000").await.expect("Failed to bind");
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
 * Both loops await, so both are {@link Coroutine}s. Krill's {@code read} gives -1 at end of
 * stream (Rust's 0), and the buffer is off-heap (the kernel reads into it directly). Rust closes
 * the socket when the task's block ends; here the coroutine closes it. Run it with
 * {@code ci/example TcpEchoServer [PORT]} and talk to it with {@link TcpClient}.
 */
public final class TcpEchoServer implements AutoCloseable {

    /** The guide's port. */
    static final int PORT = 8000;
    /** The guide's {@code vec![0; 1024]}. */
    static final int BUFFER_BYTES = 1024;

    private final Runtime runtime;
    private final TcpListener listener;
    private final JoinHandle<Void> accepting;

    private TcpEchoServer(Runtime runtime, TcpListener listener) {
        this.runtime = runtime;
        this.listener = listener;
        this.accepting = runtime.spawn(new AcceptLoop());
    }

    /** Binds {@code address} (port 0: a free one, see {@link #localAddress()}) and starts accepting. */
    public static TcpEchoServer start(Runtime runtime, InetSocketAddress address) {
        return new TcpEchoServer(runtime, runtime.blockOn(() -> TcpListener.bind(address)));
    }

    public InetSocketAddress localAddress() {
        return listener.localAddress();
    }

    /** Accepts until the listener is closed; one echo task per connection. */
    private final class AcceptLoop implements Coroutine<Void> {
        private Task<TcpStream> accepting;

        @Override
        public void resume(Step<Void> step) {
            for (;;) {
                if (accepting == null) {
                    accepting = listener.accept();
                }
                if (!step.await(accepting)) {
                    return;
                }
                Throwable failure = accepting.failureNow();
                if (failure instanceof SocketClosedException) {
                    step.complete(null); // closed by close(): the loop's end
                    return;
                }
                TcpStream socket = accepting.resultNow(); // another failure fails the loop (the guide's expect)
                accepting = null;
                runtime.spawn(new Echo(socket));
            }
        }
    }

    /** One connection: read, write it all back, until end of stream. */
    static final class Echo implements Coroutine<Void> {
        private final TcpStream socket;
        private final MemorySegment buf = Arena.ofAuto().allocate(BUFFER_BYTES);
        private Task<Integer> reading;
        private Task<Void> writing;

        Echo(TcpStream socket) {
            this.socket = socket;
        }

        @Override
        public void resume(Step<Void> step) {
            try {
                for (;;) {
                    if (writing != null) {
                        if (!step.await(writing)) {
                            return;
                        }
                        writing.resultNow(); // the guide's unwrap(): a failed write fails the task
                        writing = null;
                    }
                    if (reading == null) {
                        reading = socket.read(buf);
                    }
                    if (!step.await(reading)) {
                        return;
                    }
                    int n = reading.resultNow();
                    reading = null;
                    if (n < 0) {
                        socket.close(); // end of stream: the guide's return, and its drop of the socket
                        step.complete(null);
                        return;
                    }
                    writing = socket.writeAll(buf.asSlice(0, n));
                }
            } catch (RuntimeException e) {
                socket.close();
                throw e;
            }
        }
    }

    /** Stops accepting; connections already open go on until their peers close them. */
    @Override
    public void close() {
        listener.close();
        runtime.blockOn(accepting);
    }

    /** {@code [PORT]}: the guide's 8000 by default; 0 picks a free port. */
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : PORT;
        Consumer<String> out = System.out::println;
        try (Runtime runtime = Runtime.builder().build()) {
            TcpEchoServer server = start(runtime, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            out.accept("Echo server on " + server.localAddress() + " (Ctrl-C stops it)");
            runtime.blockOn(server.accepting); // the guide's endless loop
        }
    }
}
