package io.krill.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.krill.Runtime;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@Timeout(value = Output.TEST_SECONDS, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@EnabledOnOs(OS.LINUX)
class HttpEchoServerVirtualTest {

    private static Socket connect(HttpEchoServerVirtual server) throws Exception {
        Socket socket = new Socket(server.localAddress().getAddress(), server.localAddress().getPort());
        socket.setSoTimeout((int) (Output.WAIT_SECONDS * 1000));
        return socket;
    }

    @Test
    void saysWhereItListensNamesEachConnectionAndAnswersHello() throws Exception {
        Output out = new Output();
        try (Runtime runtime = Runtime.builder().workers(2).build();
                HttpEchoServerVirtual server = HttpEchoServerVirtual.start(runtime, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), out)) {
            assertEquals("Listening on 127.0.0.1:" + server.localAddress().getPort(), out.lines().get(0));
            try (Socket client = connect(server)) {
                OutputStream request = client.getOutputStream();
                request.write("GET / HTTP/1.1\r\nHost: loc".getBytes(StandardCharsets.US_ASCII)); // a line in two writes
                request.flush();
                request.write("alhost\r\nAccept: */*\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                // The whole answer, then end of stream: one request per connection, as the guide's.
                assertArrayEquals(HttpEchoServer.RESPONSE, client.getInputStream().readAllBytes());
                out.await(line -> line.equals("New connection: 127.0.0.1:" + client.getLocalPort()), "naming the client");
            }
        }
    }

    @Test
    void aConnectionWithoutARequestLineGetsNoAnswer() throws Exception {
        Output out = new Output();
        try (Runtime runtime = Runtime.builder().workers(2).build();
                HttpEchoServerVirtual server = HttpEchoServerVirtual.start(runtime, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), out);
                Socket empty = connect(server); Socket silent = connect(server)) {
            empty.getOutputStream().write("\r\n".getBytes(StandardCharsets.US_ASCII)); // the head ends before a request line
            assertEquals(0, empty.getInputStream().readAllBytes().length);
            silent.shutdownOutput(); // end of stream before any line
            assertEquals(0, silent.getInputStream().readAllBytes().length);
        }
    }
}
