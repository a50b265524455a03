package io.krill.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The load generator against small blocking JDK servers on loopback: one that echoes, one that
 * corrupts a byte, one that hangs up, and one that answers pipelined HTTP one byte per write.
 * Short runs (0.2 s warmup, 0.5 s measured).
 */
class LoadGeneratorTest {

    private interface Handler {
        void serve(InputStream in, OutputStream out) throws IOException;
    }

    private ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    /** Starts a thread-per-connection server on a free loopback port. */
    private int start(Handler handler) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().start(() -> {
            while (true) {
                Socket socket;
                try {
                    socket = server.accept();
                } catch (IOException closed) {
                    return; // the test closed the server
                }
                accepted.add(socket);
                Thread.ofPlatform().daemon().start(() -> {
                    try (socket) {
                        socket.setTcpNoDelay(true);
                        handler.serve(socket.getInputStream(), socket.getOutputStream());
                    } catch (IOException e) {
                        // The client closed first at the end of a run: nothing to report.
                    }
                });
            }
        });
        return server.getLocalPort();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        for (Socket socket : accepted) {
            socket.close();
        }
    }

    private static LoadReport run(int port, String... options) throws IOException, InterruptedException {
        String[] common = {"--port", Integer.toString(port), "--connections", "4", "--threads", "2",
                "--warmup", "0.2", "--duration", "0.5"};
        String[] args = new String[common.length + options.length];
        System.arraycopy(common, 0, args, 0, common.length);
        System.arraycopy(options, 0, args, common.length, options.length);
        return LoadGenerator.run(LoadConfig.parse(args));
    }

    private static void echo(InputStream in, OutputStream out, long corruptAt) throws IOException {
        byte[] buffer = new byte[8192];
        long position = 0;
        for (int n; (n = in.read(buffer)) > 0; position += n) {
            if (corruptAt >= position && corruptAt < position + n) {
                buffer[(int) (corruptAt - position)] ^= 1;
            }
            out.write(buffer, 0, n);
        }
    }

    @Test
    void echoRunsClean() throws Exception {
        LoadReport report = run(start((in, out) -> echo(in, out, -1)), "--size", "100", "--pipeline", "3");
        assertTrue(report.ok(), report.text());
        assertTrue(report.responses() > 100, report.text());
        assertEquals(report.responses(), report.latencies().getTotalCount());
        // Bytes read in the window belong to responses completed in it, except for responses
        // straddling the window's edges: at most one pipeline per connection at each edge.
        long straddling = 2L * 4 * 3 * 100;
        assertTrue(Math.abs(report.readBytes() - report.responses() * 100) <= straddling, report.text());
    }

    @Test
    void oneFlippedBitIsAWrongResponse() throws Exception {
        LoadReport report = run(start((in, out) -> echo(in, out, 1_000)), "--size", "64");
        assertFalse(report.ok());
        assertEquals(4, report.wrongResponses(), report.text()); // once per connection, which is then closed
        assertTrue(report.firstError().contains("echo differs at byte 1000"), report.firstError());
    }

    @Test
    void aServerThatHangsUpFailsTheRun() throws Exception {
        LoadReport report = run(start((in, out) -> {
            byte[] buffer = new byte[64];
            int n = in.read(buffer);
            out.write(buffer, 0, n); // one echo, then close
        }), "--size", "64");
        assertFalse(report.ok());
        assertEquals(4, report.failedConnections(), report.text());
        assertNotNull(report.firstError());
    }

    @Test
    void httpResponsesSplitIntoSingleBytesAreCounted() throws Exception {
        byte[] response = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello".getBytes(StandardCharsets.US_ASCII);
        LoadReport report = run(start((in, out) -> {
            int matched = 0; // bytes of "\r\n\r\n" seen in a row
            for (int b; (b = in.read()) >= 0; ) {
                matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : (b == '\r' ? 1 : 0);
                if (matched == 4) {
                    matched = 0;
                    for (byte r : response) {
                        out.write(r); // unbuffered: one write per byte
                    }
                }
            }
        }), "--mode", "http", "--pipeline", "4");
        assertTrue(report.ok(), report.text());
        assertTrue(report.responses() > 10, report.text());
    }
}
