package io.krill.net;

import java.net.SocketTimeoutException;

/**
 * A handler-API connection neither read nor wrote anything for longer than its idle timeout
 * ({@link Connection#setIdleTimeout}); it is closed, and {@link ConnectionHandler#onClose}
 * receives this. A subclass of the JDK's {@link SocketTimeoutException}.
 */
public final class IdleTimeoutException extends SocketTimeoutException {

    private static final long serialVersionUID = 1L;

    public IdleTimeoutException(String message) {
        super(message);
    }
}
