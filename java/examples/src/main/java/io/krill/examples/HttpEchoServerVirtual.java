package io.krill.examples;

import io.krill.JoinHandle;
import io.krill.Runtime;
import io.krill.net.LineReader;
import io.krill.net.SocketClosedException;
import io.krill.net.TcpListener;
import io.krill.net.TcpStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * The guide's "Real-World Example: HTTP Echo Server" in blocking style (#15): the same server as
 * {@link HttpEchoServer}, with a virtual thread of {@link Runtime#spawnVirtual} per connection,
 * so {@code handle_connection} is the guide's loop with {@code .join()} for {@code .await}.
 *
 * <pre>{@code
 * async fn handle_connection(socket: tokio::net::TcpStream) {
 *     let (reader, mut writer) = socket.into_split();
 *     let mut lines = BufReader::new(reader).lines();
 *     let mut headers = vec![];
 *     while let Ok(Some(line)) = lines.next_line().await {
 *         if line.is_empty() { break; }
 *         headers.push(line);
 *     }
 *     if let Some(request_line) = headers.first() {
 *         writer.write_all(response.as_bytes()).await.ok();
 *     }
 * }
 * }</pre>
 *
 * Rust's {@code while let Ok(Some(line))} stops at an error or the end of stream alike; here a
 * failed {@code nextLine()} join throws, caught as the loop's end, and end of stream is
 * {@code null}. A connection that sends no request line gets no answer, as in the guide.
 */
public final class HttpEchoServerVirtual implements AutoCloseable {

    private static final MemorySegment RESPONSE_BYTES = Arena.global().allocate(HttpEchoServer.RESPONSE.length);

    static {
        MemorySegment.copy(HttpEchoServer.RESPONSE, 0, RESPONSE_BYTES, ValueLayout.JAVA_BYTE, 0, HttpEchoServer.RESPONSE.length);
    }

    private final TcpListener listener;
    private final JoinHandle<Void> accepting;

    private HttpEchoServerVirtual(Runtime runtime, TcpListener listener, Consumer<String> out) {
        this.listener = listener;
        out.accept("Listening on " + HttpEchoServer.hostAndPort(listener.localAddress()));
        this.accepting = runtime.spawnVirtual(() -> acceptLoop(listener, out));
    }

    /** Binds {@code address} (port 0: a free one, see {@link #localAddress()}), says so, and accepts. */
    public static HttpEchoServerVirtual start(Runtime runtime, InetSocketAddress address, Consumer<String> out) {
        return new HttpEchoServerVirtual(runtime, runtime.spawnVirtual(() -> TcpListener.bind(address)).join(), out);
    }

    public InetSocketAddress localAddress() {
        return listener.localAddress();
    }

    private static Void acceptLoop(TcpListener listener, Consumer<String> out) {
        for (;;) {
            TcpStream socket;
            try {
                socket = listener.accept().join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof SocketClosedException) {
                    return null; // closed by close()
                }
                throw e; // another failure fails the loop (the guide's unwrap)
            }
            out.accept("New connection: " + HttpEchoServer.hostAndPort(socket.peerAddress()));
            Runtime.current().spawnVirtual(() -> handleConnection(socket));
        }
    }

    /** {@code handle_connection}: the head's lines up to the empty one, then one answer. */
    static Void handleConnection(TcpStream socket) {
        TcpStream.Halves halves = socket.split();
        try (var reader = halves.reader(); var writer = halves.writer()) { // both closed: the socket closes
            LineReader lines = reader.lines();
            List<String> headers = new ArrayList<>();
            for (;;) {
                String line;
                try {
                    line = lines.nextLine().join();
                } catch (CompletionException e) {
                    break; // Err: the end, as the guide's while let
                }
                if (line == null || line.isEmpty()) {
                    break;
                }
                headers.add(line);
            }
            if (!headers.isEmpty()) {
                try {
                    writer.writeAll(RESPONSE_BYTES).join();
                } catch (CompletionException ignored) {
                    // The guide's .ok(): a failed write is ignored; the connection closes either way.
                }
            }
        }
        return null;
    }

    /** Stops accepting. */
    @Override
    public void close() {
        listener.close();
        accepting.join();
    }

    /** {@code [PORT]}: the guide's 8000 by default; 0 picks a free port. */
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : HttpEchoServer.PORT;
        try (Runtime runtime = Runtime.builder().build()) {
            HttpEchoServerVirtual server = start(runtime, new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                    System.out::println);
            server.accepting.join(); // the guide's endless loop
        }
    }
}
