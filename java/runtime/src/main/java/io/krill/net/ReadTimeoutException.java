package io.krill.net;

import java.net.SocketTimeoutException;

/**
 * A handler-API connection read nothing for longer than its read timeout
 * ({@link Connection#setReadTimeout}); it is closed, and {@link ConnectionHandler#onClose}
 * receives this. A subclass of the JDK's {@link SocketTimeoutException}, which means the same
 * for a blocking socket's {@code SO_TIMEOUT}.
 */
public final class ReadTimeoutException extends SocketTimeoutException {

    private static final long serialVersionUID = 1L;

    public ReadTimeoutException(String message) {
        super(message);
    }
}
