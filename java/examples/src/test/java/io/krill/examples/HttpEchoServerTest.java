package io.krill.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Runtime;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@Timeout(value = Output.TEST_SECONDS, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@EnabledOnOs(OS.LINUX)
class HttpEchoServerTest {

    private static Socket connect(HttpEchoServer server) throws Exception {
        Socket socket = new Socket(server.localAddress().getAddress(), server.localAddress().getPort());
        socket.setSoTimeout((int) (Output.WAIT_SECONDS * 1000));
        return socket;
    }

    @Test
    void saysWhereItListensNamesEachConnectionAndAnswersHello() throws Exception {
        Output out = new Output();
        try (Runtime runtime = Runtime.builder().workers(2).build();
                HttpEchoServer server = HttpEchoServer.start(runtime, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), out)) {
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

    /** One request on a fresh connection; the whole answer, up to the server's end of stream. */
    private static String fetch(HttpEchoServer server, String requestLine) throws Exception {
        try (Socket client = connect(server)) {
            client.getOutputStream().write((requestLine + "\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void getMetricsAnswersThePrometheusTextOfTheRuntime() throws Exception {
        Output out = new Output();
        try (Runtime runtime = Runtime.builder().workers(2).build();
                HttpEchoServer server = HttpEchoServer.start(runtime, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), out)) {
            String hello = fetch(server, "GET / HTTP/1.1"); // some work to count first
            assertEquals(new String(HttpEchoServer.RESPONSE, StandardCharsets.US_ASCII), hello);
            String answer = fetch(server, "GET /metrics HTTP/1.1");
            int split = answer.indexOf("\r\n\r\n");
            assertTrue(split > 0, "a head and a body: " + answer);
            List<String> head = List.of(answer.substring(0, split).split("\r\n"));
            String body = answer.substring(split + 4);
            assertEquals("HTTP/1.1 200 OK", head.getFirst());
            assertTrue(head.contains("Content-Type: text/plain; version=0.0.4"), head.toString());
            assertTrue(head.contains("Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length), head.toString());
            // Every line is a HELP, a TYPE or a sample with a non-negative value (the runtime's
            // PrometheusTextTest checks the format itself in full).
            Pattern line = Pattern.compile("# (HELP|TYPE) krill_\\w+ .+|krill_\\w+(\\{[^}]*})? [0-9.]+");
            for (String sample : body.split("\n")) {
                assertTrue(line.matcher(sample).matches(), "not a line of the text format: '" + sample + "'");
            }
            assertTrue(body.contains("# TYPE krill_worker_polls_total counter\n"), body);
            Matcher polls = Pattern.compile("(?m)^krill_worker_polls_total\\{worker=\"0\"} ([0-9]+)$").matcher(body);
            assertTrue(polls.find(), body);
            Matcher open = Pattern.compile("(?m)^krill_reactor_open_connections\\{worker=\"\\d+\"} ([0-9]+)$").matcher(body);
            int connections = 0;
            while (open.find()) {
                connections += Integer.parseInt(open.group(1));
            }
            assertTrue(connections >= 2, "the listener and the scrape's own connection are open: " + body);
            String notMetrics = fetch(server, "POST /metrics HTTP/1.1");
            assertEquals(new String(HttpEchoServer.RESPONSE, StandardCharsets.US_ASCII), notMetrics, "only GET is the scrape");
        }
    }

    @Test
    void onlyAGetOfTheMetricsPathIsAScrape() {
        assertTrue(HttpEchoServer.HandleConnection.isMetricsRequest("GET /metrics HTTP/1.1"));
        assertTrue(HttpEchoServer.HandleConnection.isMetricsRequest("GET /metrics?name[]=krill_workers HTTP/1.1"));
        assertFalse(HttpEchoServer.HandleConnection.isMetricsRequest("GET /metrics/x HTTP/1.1"));
        assertFalse(HttpEchoServer.HandleConnection.isMetricsRequest("GET / HTTP/1.1"));
        assertFalse(HttpEchoServer.HandleConnection.isMetricsRequest("HEAD /metrics HTTP/1.1"));
        assertFalse(HttpEchoServer.HandleConnection.isMetricsRequest("GET"));
    }

    @Test
    void aConnectionWithoutARequestLineGetsNoAnswer() throws Exception {
        Output out = new Output();
        try (Runtime runtime = Runtime.builder().workers(2).build();
                HttpEchoServer server = HttpEchoServer.start(runtime, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), out);
                Socket empty = connect(server); Socket silent = connect(server)) {
            empty.getOutputStream().write("\r\n".getBytes(StandardCharsets.US_ASCII)); // the head ends before a request line
            assertEquals(0, empty.getInputStream().readAllBytes().length);
            silent.shutdownOutput(); // end of stream before any line
            assertEquals(0, silent.getInputStream().readAllBytes().length);
        }
    }
}
