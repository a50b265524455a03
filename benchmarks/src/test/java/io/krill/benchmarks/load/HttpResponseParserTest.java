package io.krill.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpResponseParserTest {

    /** What ci/serve http answers to every request. */
    private static final String HELLO = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello";

    private static ByteBuffer direct(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    @Test
    void countsPipelinedResponsesInOneRead() throws ProtocolException {
        ByteBuffer three = direct(HELLO.repeat(3));
        HttpResponseParser parser = new HttpResponseParser();
        assertEquals(3, parser.feed(three, 0, three.limit()));
        assertTrue(parser.betweenResponses());
        assertEquals(0, three.position()); // absolute reads only
    }

    @Test
    void countsEachResponseOnceWhereverTheReadsSplitIt() throws ProtocolException {
        ByteBuffer stream = direct(HELLO.repeat(3));
        int length = stream.limit();
        for (int first = 0; first <= length; first++) {
            for (int second = first; second <= length; second++) {
                HttpResponseParser parser = new HttpResponseParser();
                int total = parser.feed(stream, 0, first) + parser.feed(stream, first, second)
                        + parser.feed(stream, second, length);
                assertEquals(3, total, "split at " + first + ", " + second);
                assertTrue(parser.betweenResponses());
            }
        }
    }

    @Test
    void aResponseCountsOnlyWhenItsLastBodyByteArrives() throws ProtocolException {
        ByteBuffer one = direct(HELLO);
        HttpResponseParser parser = new HttpResponseParser();
        for (int i = 0; i < one.limit() - 1; i++) {
            assertEquals(0, parser.feed(one, i, i + 1), "byte " + i);
            assertFalse(parser.betweenResponses());
        }
        assertEquals(1, parser.feed(one, one.limit() - 1, one.limit()));
    }

    @Test
    void headerNamesAnyCaseOtherHeadersEmptyAndLargeBodies() throws ProtocolException {
        String body = "x".repeat(70_000);
        ByteBuffer stream = direct("HTTP/1.1 200 OK\r\nServer: t\r\ncontent-LENGTH:0\r\nX-Content-Length: 9\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length:   70000\r\n\r\n" + body
                + "HTTP/1.1 200 Fine\r\nDate: now\r\nContent-Length: 2 \r\n\r\nok");
        HttpResponseParser parser = new HttpResponseParser();
        assertEquals(1, parser.feed(stream, 0, 80));
        assertEquals(0, parser.feed(stream, 80, 1_000));
        assertEquals(2, parser.feed(stream, 1_000, stream.limit()));
    }

    @Test
    void rejectsWhatTheServersMustNotSend() {
        for (String bad : new String[] {
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\nHello",
                "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\nHello",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\rXHello",
                "Hello" }) {
            ByteBuffer stream = direct(bad);
            assertThrows(ProtocolException.class, () -> new HttpResponseParser().feed(stream, 0, stream.limit()), bad);
        }
    }
}
