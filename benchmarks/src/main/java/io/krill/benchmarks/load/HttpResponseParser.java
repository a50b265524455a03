package io.krill.benchmarks.load;

import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Counts HTTP/1.1 responses in a byte stream that arrives in pieces of any size: a status line
 * that must be {@code HTTP/1.1 200 ...}, headers of which {@code Content-Length} (any case) is
 * required, then that many body bytes. A byte at a time, with no allocation and no buffering: the
 * state survives between {@link #feed} calls, so a response split anywhere across reads is
 * counted once, when its last body byte arrives. Chunked bodies and other statuses are errors:
 * the servers under test never send them.
 */
public final class HttpResponseParser {

    private static final byte[] STATUS_PREFIX = "HTTP/1.1 200 ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);
    /** Larger than any body these servers send; bounds the digits so the sum cannot overflow. */
    private static final long MAX_CONTENT_LENGTH = 1L << 40;

    private enum State { STATUS, STATUS_REST, HEADER, LENGTH_VALUE, HEADERS_END, BODY }

    private State state = State.STATUS;
    /** STATUS: bytes of STATUS_PREFIX matched. HEADER: bytes of the line read so far. */
    private int position;
    /** HEADER: whether the line so far equals the start of CONTENT_LENGTH. */
    private boolean nameMatches;
    private boolean lengthSeen;
    private boolean lengthHasDigits;
    /** LENGTH_VALUE: whitespace followed the digits, so no further digit may come. */
    private boolean lengthEnded;
    private long contentLength;
    private long bodyLeft;

    /**
     * Consumes {@code buffer}'s bytes at [{@code from}, {@code to}) (absolute, the buffer's
     * position untouched) and returns how many responses they completed.
     *
     * @throws ProtocolException if the bytes are not a 200 response with a Content-Length
     */
    public int feed(ByteBuffer buffer, int from, int to) throws ProtocolException {
        int completed = 0;
        int i = from;
        while (i < to) {
            if (state == State.BODY) {
                long skip = Math.min(bodyLeft, to - i);
                bodyLeft -= skip;
                i += (int) skip;
                if (bodyLeft == 0) {
                    completed++;
                    reset();
                }
                continue;
            }
            if (step(buffer.get(i++))) {
                completed++;
                reset();
            }
        }
        return completed;
    }

    /** True between responses: no byte of a next response seen yet. */
    public boolean betweenResponses() {
        return state == State.STATUS && position == 0;
    }

    /** One byte outside a body; true if it ended a response (one with an empty body). */
    private boolean step(byte b) throws ProtocolException {
        switch (state) {
            case STATUS -> {
                if (b != STATUS_PREFIX[position]) {
                    throw new ProtocolException("status line does not start with 'HTTP/1.1 200 ' (byte "
                            + position + " is " + (b & 0xff) + ")");
                }
                if (++position == STATUS_PREFIX.length) {
                    state = State.STATUS_REST;
                }
            }
            case STATUS_REST -> {
                if (b == '\n') {
                    startHeaderLine();
                }
            }
            case HEADER -> {
                if (position == 0 && b == '\r') {
                    state = State.HEADERS_END;
                } else if (b == '\n') {
                    if (position == 0) {
                        throw new ProtocolException("bare LF ends the headers");
                    }
                    startHeaderLine();
                } else {
                    nameMatches = nameMatches && position < CONTENT_LENGTH.length && lower(b) == CONTENT_LENGTH[position];
                    position++;
                    if (nameMatches && position == CONTENT_LENGTH.length) {
                        state = State.LENGTH_VALUE;
                        contentLength = 0;
                        lengthHasDigits = false;
                        lengthEnded = false;
                    }
                }
            }
            case LENGTH_VALUE -> {
                if (b >= '0' && b <= '9' && !lengthEnded) {
                    contentLength = contentLength * 10 + (b - '0');
                    lengthHasDigits = true;
                    if (contentLength > MAX_CONTENT_LENGTH) {
                        throw new ProtocolException("Content-Length too large");
                    }
                } else if (b == '\n') {
                    if (!lengthHasDigits) {
                        throw new ProtocolException("Content-Length without a value");
                    }
                    lengthSeen = true;
                    startHeaderLine();
                } else if (b == ' ' || b == '\t') {
                    lengthEnded = lengthHasDigits; // optional whitespace on either side of the digits
                } else if (b != '\r') {
                    throw new ProtocolException("Content-Length is not a number (byte " + (b & 0xff) + ")");
                }
            }
            case HEADERS_END -> {
                if (b != '\n') {
                    throw new ProtocolException("CR not followed by LF after the headers");
                }
                if (!lengthSeen) {
                    throw new ProtocolException("response without Content-Length");
                }
                if (contentLength == 0) {
                    return true;
                }
                bodyLeft = contentLength;
                state = State.BODY;
            }
            case BODY -> throw new AssertionError("body bytes are skipped in feed");
        }
        return false;
    }

    private void startHeaderLine() {
        state = State.HEADER;
        position = 0;
        nameMatches = true;
    }

    private void reset() {
        state = State.STATUS;
        position = 0;
        lengthSeen = false;
        contentLength = 0;
        bodyLeft = 0;
    }

    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + ('a' - 'A')) : b;
    }
}
