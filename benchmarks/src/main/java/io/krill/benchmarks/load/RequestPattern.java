package io.krill.benchmarks.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The bytes a connection sends, as an endless stream: byte {@code k} of a stream that starts at
 * {@code start} is {@code pattern[(start + k) % periodBytes]}. The pattern is stored twice in a
 * row in one direct buffer, so any window of up to {@code periodBytes} starting inside the first
 * copy is contiguous: requests are written, and echoes compared, straight from it, with no copy
 * and no allocation per request.
 *
 * <ul>
 *   <li>echo: random bytes, each connection starting at a random offset, so consecutive requests
 *       differ and a byte delivered to the wrong connection or out of order is caught;</li>
 *   <li>http: the same GET request over and over (start 0).</li>
 * </ul>
 */
final class RequestPattern {

    /** Echo pattern length: the largest prime below 64 KiB, so a request size rarely divides it
     *  and request contents keep shifting (guess; any length well above the request size works). */
    static final int ECHO_PERIOD_BYTES = 65_521;
    /** What the http mode sends; ci/serve http only looks for the blank line that ends it. */
    static final byte[] HTTP_REQUEST = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** Copies of the http request per period: a burst of this many goes out in one write. */
    private static final int HTTP_REQUESTS_PER_PERIOD = 256;

    private final ByteBuffer doubled;
    private final int periodBytes;

    private RequestPattern(byte[] period) {
        this.periodBytes = period.length;
        this.doubled = ByteBuffer.allocateDirect(2 * period.length).put(period).put(period).flip();
    }

    static RequestPattern random(SplittableRandom random, int minPeriodBytes) {
        byte[] period = new byte[Math.max(ECHO_PERIOD_BYTES, minPeriodBytes)];
        random.nextBytes(period);
        return new RequestPattern(period);
    }

    static RequestPattern http(int pipeline) {
        int copies = Math.max(HTTP_REQUESTS_PER_PERIOD, pipeline);
        byte[] period = new byte[HTTP_REQUEST.length * copies];
        for (int i = 0; i < copies; i++) {
            System.arraycopy(HTTP_REQUEST, 0, period, i * HTTP_REQUEST.length, HTTP_REQUEST.length);
        }
        return new RequestPattern(period);
    }

    int periodBytes() {
        return periodBytes;
    }

    /** A view of its own for one thread (position and limit are per view; the bytes are shared). */
    ByteBuffer newView() {
        return doubled.duplicate();
    }

    /**
     * Sets {@code view} to the stream's bytes from {@code streamOffset} (counted from the stream's
     * start at {@code start}), at most {@code maxBytes} and at most one period; returns the length.
     */
    int window(ByteBuffer view, long start, long streamOffset, long maxBytes) {
        int from = (int) ((start + streamOffset) % periodBytes);
        int length = (int) Math.min(maxBytes, periodBytes);
        view.clear().position(from).limit(from + length);
        return length;
    }
}
