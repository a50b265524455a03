package io.krill.examples;

import io.krill.Runtime;
import io.krill.Task;
import io.krill.net.TcpStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * The guide's "TCP Client": connects, sends {@code Hello}, prints what comes back. Against
 * {@link TcpEchoServer} it prints {@code Received: Hello}.
 *
 * <pre>{@code
 * let mut stream = TcpStream::connect("127.0.0.1:8000").await.expect("Failed to connect");
 * stream.write_all(b"Hello").await.unwrap();
 * let mut buf = vec![0; 1024];
 * let n = stream.read(&mut buf).await.unwrap();
 * println!("Received: {}", String::from_utf8_lossy(&buf[..n]));
 * }</pre>
 *
 * Three awaits one after the other, no loop: a chain of {@code then}. The stream is closed at
 * the end whatever happened (Rust drops it), in a {@code handle}. As in the guide, one read
 * takes what has arrived, which on loopback is the whole five bytes.
 */
public final class TcpClient {

    static final byte[] HELLO = "Hello".getBytes(StandardCharsets.UTF_8);
    static final int BUFFER_BYTES = 1024;

    private TcpClient() {}

    /** Connects, sends Hello, reads once; the text read. On a worker (connect needs its reactor). */
    static Task<String> exchange(InetSocketAddress address) {
        return TcpStream.connect(address).then(stream -> {
            MemorySegment hello = Arena.ofAuto().allocate(HELLO.length);
            MemorySegment.copy(HELLO, 0, hello, ValueLayout.JAVA_BYTE, 0, HELLO.length);
            MemorySegment buf = Arena.ofAuto().allocate(BUFFER_BYTES);
            return stream.writeAll(hello)
                    .then(written -> stream.read(buf))
                    .handle((n, failure) -> {
                        stream.close();
                        if (failure != null) {
                            throw failure instanceof RuntimeException unchecked ? unchecked : new CompletionException(failure);
                        }
                        byte[] bytes = buf.asSlice(0, Math.max(n, 0)).toArray(ValueLayout.JAVA_BYTE);
                        return new String(bytes, StandardCharsets.UTF_8); // malformed input becomes U+FFFD: from_utf8_lossy
                    });
        });
    }

    public static void run(Runtime runtime, InetSocketAddress address, Consumer<String> out) {
        String received = runtime.blockOn(runtime.spawn(() -> exchange(address)).then(exchanging -> exchanging));
        out.accept("Received: " + received);
    }

    /** {@code [PORT]}: the guide's 8000 on 127.0.0.1 by default. */
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : TcpEchoServer.PORT;
        try (Runtime runtime = Runtime.builder().build()) {
            run(runtime, new InetSocketAddress(InetAddress.getLoopbackAddress(), port), System.out::println);
        }
    }
}
