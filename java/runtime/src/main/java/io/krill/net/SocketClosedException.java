package io.krill.net;

import java.nio.channels.AsynchronousCloseException;

/**
 * An operation was pending (waiting for readiness, or between two system calls) when its socket
 * was closed, by another task or by closing the stream or listener it belonged to. Calling a
 * method on a stream that is already closed throws {@link IllegalStateException} instead; an
 * accept on a closed listener fails with this exception, because closing a listener is how
 * another party ends its accept loop, whether the loop is waiting or between two accepts.
 *
 * <p>A subclass of the JDK's {@link AsynchronousCloseException}, which means the same thing for
 * channels, so that code catching that (or {@link java.io.IOException}) handles Krill's too.
 */
public final class SocketClosedException extends AsynchronousCloseException {

    private static final long serialVersionUID = 1L;

    private final String message;

    public SocketClosedException(String message) {
        this.message = message;
    }

    @Override
    public String getMessage() {
        return message;
    }
}
