package io.krill.examples;

import io.krill.Coroutine;
import io.krill.JoinHandle;
import io.krill.Runtime;
import io.krill.Step;
import io.krill.Task;
import io.krill.net.LineReader;
import io.krill.net.SocketClosedException;
import io.krill.net.TcpListener;
import io.krill.net.TcpStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The guide's "Real-World Example: HTTP Echo Server": reads a request's head line by line and
 * answers {@code Hello}, one request per connection.
 *
 * <pre>{@code
 * let listener = TcpListener::bind("127.0.0.1:8000").await.unwrap();
 * println!("Listening on 127.0.0.1:8000");
 * loop {
 *     let (socket, addr) = listener.accept().await.unwrap();
 *     println!("New connection: {}", addr);
 *     tokio::spawn(async move { handle_connection(socket).await; });
 * }
 *
 * async fn handle_connection(socket: tokio::net::TcpStream) {
 *     let (reader, mut writer) = socket.into_split();
 *     let mut lines = BufReader::new(reader).lines();
 *     let mut headers = vec![];
 *     while let Ok(Some(line)) = lines.next_line().await {
 *         if line.is_empty() { break; }
 *         headers.push(line);
 *     }
 *     if let Some(request_line) = headers.first() {
 *         let response = format!("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello");
 *         writer.write_all(response.as_bytes()).await.ok();
 *     }
 * }
 * }</pre>
 *
 * {@code into_split} is {@link TcpStream#split()}, {@code BufReader::lines} is
 * {@link io.krill.net.ReadHalf#lines()}; the halves are closed at the end (Rust drops them),
 * which closes the socket. A connection that sends no request line gets no answer, as in the
 * guide. ({@code ci/serve http} is the keep-alive, pipelining server built for load.)
 */
public final class HttpEchoServer implements AutoCloseable {

    static final int PORT = 8000;
    static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello".getBytes(StandardCharsets.US_ASCII);

    private final Runtime runtime;
    private final TcpListener listener;
    private final Consumer<String> out;
    private final JoinHandle<Void> accepting;

    private HttpEchoServer(Runtime runtime, TcpListener listener, Consumer<String> out) {
        this.runtime = runtime;
        this.listener = listener;
        this.out = out;
        out.accept("Listening on " + hostAndPort(listener.localAddress()));
        this.accepting = runtime.spawn(new AcceptLoop());
    }

    /** Binds {@code address} (port 0: a free one, see {@link #localAddress()}), says so, and accepts. */
    public static HttpEchoServer start(Runtime runtime, InetSocketAddress address, Consumer<String> out) {
        return new HttpEchoServer(runtime, runtime.blockOn(() -> TcpListener.bind(address)), out);
    }

    public InetSocketAddress localAddress() {
        return listener.localAddress();
    }

    /** As Rust prints a {@code SocketAddr}: {@code 127.0.0.1:8000}. */
    static String hostAndPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

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
                if (accepting.failureNow() instanceof SocketClosedException) {
                    step.complete(null); // closed by close()
                    return;
                }
                TcpStream socket = accepting.resultNow(); // another failure fails the loop (the guide's unwrap)
                accepting = null;
                out.accept("New connection: " + hostAndPort(socket.peerAddress()));
                runtime.spawn(new HandleConnection(socket));
            }
        }
    }

    /** {@code handle_connection}: the head's lines up to the empty one, then one answer. */
    static final class HandleConnection implements Coroutine<Void> {
        private static final MemorySegment RESPONSE_BYTES = Arena.global().allocate(RESPONSE.length);

        static {
            MemorySegment.copy(RESPONSE, 0, RESPONSE_BYTES, ValueLayout.JAVA_BYTE, 0, RESPONSE.length);
        }

        private final TcpStream.Halves halves;
        private final LineReader lines;
        private final List<String> headers = new ArrayList<>();
        private Task<String> nextLine;
        private Task<Void> writing;

        HandleConnection(TcpStream socket) {
            this.halves = socket.split();
            this.lines = halves.reader().lines();
        }

        @Override
        public void resume(Step<Void> step) {
            try {
                if (writing == null) {
                    for (;;) {
                        if (nextLine == null) {
                            nextLine = lines.nextLine();
                        }
                        if (!step.await(nextLine)) {
                            return;
                        }
                        String line = nextLine.failureNow() == null ? nextLine.resultNow() : null; // Err or None: the end
                        nextLine = null;
                        if (line == null || line.isEmpty()) {
                            break;
                        }
                        headers.add(line);
                    }
                    if (headers.isEmpty()) { // no request line: no answer
                        end(step);
                        return;
                    }
                    writing = halves.writer().writeAll(RESPONSE_BYTES);
                }
                if (!step.await(writing)) {
                    return;
                }
                end(step); // a failed write is ignored, as the guide's .ok()
            } catch (RuntimeException e) {
                halves.reader().close();
                halves.writer().close();
                throw e;
            }
        }

        private void end(Step<Void> step) {
            halves.reader().close();
            halves.writer().close(); // both halves closed: the socket closes
            step.complete(null);
        }
    }

    /** Stops accepting. */
    @Override
    public void close() {
        listener.close();
        runtime.blockOn(accepting);
    }

    /** {@code [PORT]}: the guide's 8000 by default; 0 picks a free port. */
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : PORT;
        try (Runtime runtime = Runtime.builder().build()) {
            HttpEchoServer server = start(runtime, new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                    System.out::println);
            runtime.blockOn(server.accepting); // the guide's endless loop
        }
    }
}
