package io.krill.examples;

import io.krill.Runtime;
import io.krill.net.TcpStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The guide's "TCP Client" in blocking style (#15): {@link TcpClient}'s chain of {@code then},
 * written as the guide's three lines, each {@code .await} a {@code .join()} on a virtual thread
 * of {@link Runtime#spawnVirtual}. Against {@link TcpEchoServerVirtual} (or
 * {@link TcpEchoServer}) it prints {@code Received: Hello}.
 *
 * <pre>{@code
 * let mut stream = TcpStream::connect("127.0.0.1:8000").await.expect("Failed to connect");
 * stream.write_all(b"Hello").await.unwrap();
 * let mut buf = vec![0; 1024];
 * let n = stream.read(&mut buf).await.unwrap();
 * println!("Received: {}", String::from_utf8_lossy(&buf[..n]));
 * }</pre>
 *
 * The stream is closed by try-with-resources, whatever happened (Rust drops it).
 */
public final class TcpClientVirtual {

    private TcpClientVirtual() {}

    /** Connects, sends Hello, reads once; the text read. On a virtual thread of spawnVirtual (or a worker's task would block). */
    static String exchange(InetSocketAddress address) {
        try (TcpStream stream = TcpStream.connect(address).join()) { // connect runs on a worker; this thread waits
            MemorySegment hello = Arena.ofAuto().allocate(TcpClient.HELLO.length);
            MemorySegment.copy(TcpClient.HELLO, 0, hello, ValueLayout.JAVA_BYTE, 0, TcpClient.HELLO.length);
            stream.writeAll(hello).join();
            MemorySegment buf = Arena.ofAuto().allocate(TcpClient.BUFFER_BYTES);
            int n = stream.read(buf).join();
            byte[] bytes = buf.asSlice(0, Math.max(n, 0)).toArray(ValueLayout.JAVA_BYTE);
            return new String(bytes, StandardCharsets.UTF_8); // malformed input becomes U+FFFD: from_utf8_lossy
        }
    }

    public static void run(Runtime runtime, InetSocketAddress address, Consumer<String> out) {
        out.accept("Received: " + runtime.spawnVirtual(() -> exchange(address)).join());
    }

    /** {@code [PORT]}: the guide's 8000 on 127.0.0.1 by default. */
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : TcpEchoServer.PORT;
        try (Runtime runtime = Runtime.builder().build()) {
            run(runtime, new InetSocketAddress(InetAddress.getLoopbackAddress(), port), System.out::println);
        }
    }
}
