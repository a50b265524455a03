package io.krill.net;

import java.io.IOException;

/**
 * A {@link LineReader} met a line longer than its limit: the peer sent more than
 * {@link #maxLineBytes()} bytes without a line feed. The reader refuses further use.
 */
public final class LineTooLongException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int maxLineBytes;

    public LineTooLongException(String message, int maxLineBytes) {
        super(message);
        this.maxLineBytes = maxLineBytes;
    }

    /** The limit, terminator included. */
    public int maxLineBytes() {
        return maxLineBytes;
    }
}
