package io.krill.benchmarks.peers;

import java.nio.charset.StandardCharsets;

/**
 * What the JDK peers share: the HTTP answer, and counting pipelined requests by their ending
 * "\r\n\r\n" across reads (requests carry no body), as the C peer does.
 */
final class RequestCounter {

    static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = {'\r', '\n', '\r', '\n'};

    /** Bytes of END matched at the end of what was counted so far. */
    private int matched;

    /** Requests that end in {@code bytes[from, to)}. */
    int count(byte[] bytes, int from, int to) {
        int requests = 0;
        int m = matched;
        for (int i = from; i < to; i++) {
            if (bytes[i] == END[m]) {
                if (++m == END.length) {
                    requests++;
                    m = 0;
                }
            } else {
                m = bytes[i] == '\r' ? 1 : 0;
            }
        }
        matched = m;
        return requests;
    }

    /** {@code requests} answers back to back, reusing {@code scratch} when it is large enough. */
    static byte[] responses(int requests, byte[] scratch) {
        int length = requests * RESPONSE.length;
        byte[] out = scratch != null && scratch.length >= length ? scratch : new byte[length];
        for (int i = 0; i < requests; i++) {
            System.arraycopy(RESPONSE, 0, out, i * RESPONSE.length, RESPONSE.length);
        }
        return out;
    }
}
