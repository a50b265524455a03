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
 *
 * <p>One addition to the guide's server: {@code GET /metrics} is answered with the runtime's
 * {@link Runtime#metrics()} in Prometheus' text format ({@code Content-Type: text/plain;
 * version=0.0.4}), so a Prometheus server can scrape it; every other request still gets
 * {@code Hello}.
 */
public final class HttpEchoServer implements AutoCloseable {

    static final int PORT = 8000;
    static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello".getBytes(StandardCharsets.US_ASCII);
    /** The path Prometheus scrapes (its default {@code metrics_path}). */
    static final String METRICS_PATH = "/metrics";
    /** The media type of text format 0.0.4, as Prometheus asks for it. */
    static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4";

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
                runtime.spawn(new HandleConnection(socket, runtime));
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
        private final Runtime runtime;
        private final List<String> headers = new ArrayList<>();
        private Task<String> nextLine;
        private Task<Void> writing;
        /** A {@code /metrics} answer, held here until the connection ends: see {@link #metricsAnswer}. */
        private MemorySegment answer;

        HandleConnection(TcpStream socket, Runtime runtime) {
            this.halves = socket.split();
            this.lines = halves.reader().lines();
            this.runtime = runtime;
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
                    if (isMetricsRequest(headers.getFirst())) {
                        answer = metricsAnswer();
                        writing = halves.writer().writeAll(answer);
                    } else {
                        writing = halves.writer().writeAll(RESPONSE_BYTES);
                    }
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

        /** {@code GET /metrics} (a query string is ignored), by its request line: {@code METHOD TARGET VERSION}. */
        static boolean isMetricsRequest(String requestLine) {
            String[] parts = requestLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].equals("GET")) {
                return false;
            }
            String target = parts[1];
            int query = target.indexOf('?');
            return (query < 0 ? target : target.substring(0, query)).equals(METRICS_PATH);
        }

        /**
         * The whole {@code /metrics} answer, head and body, off-heap. Its arena is automatic: the
         * memory is freed once the segment is unreachable, so no path (a failed or cancelled
         * write included) frees it under a write still in flight; the field that holds it keeps
         * it reachable while a write call has only its address.
         */
        private MemorySegment metricsAnswer() {
            byte[] body = runtime.metrics().toPrometheus().getBytes(StandardCharsets.UTF_8);
            byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: " + METRICS_CONTENT_TYPE + "\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            MemorySegment answer = Arena.ofAuto().allocate(head.length + body.length);
            MemorySegment.copy(head, 0, answer, ValueLayout.JAVA_BYTE, 0, head.length);
            MemorySegment.copy(body, 0, answer, ValueLayout.JAVA_BYTE, head.length, body.length);
            return answer;
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
